"""Demo establishments (cơ sở CNNT) for the demo provinces."""


def seed_beneficiaries(*, seed: int) -> str:
    return "Establishments: not seeded yet."
