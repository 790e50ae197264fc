import pytest


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Uploaded files go to a temporary folder, through the default storage as in production."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"
