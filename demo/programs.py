"""Demo programmes, annual plans and legal rules."""


def seed_programs(*, seed: int) -> str:
    return "Programmes: not seeded yet."
