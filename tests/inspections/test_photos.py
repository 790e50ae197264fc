"""Photos: the capture time and GPS position read from EXIF (built here with Pillow), the
content check, the size limit, duplicates, removal, and the thumbnail."""

from __future__ import annotations

import datetime
import hashlib
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from inspections import photos, services
from inspections.models import InspectionPhoto, Result
from projects.models import ProposalEvent
from tests.inspections.factories import (
    conclude,
    in_implementation,
    inspector,
    jpeg,
    plain_jpeg,
    plan,
    record_all,
    upload,
)
from tests.projects.factories import tmp_media  # noqa: F401 — fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmp_media")]
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def add(inspection, content: bytes, name="anh.jpg", caption=""):
    return services.photo_add(
        inspection=inspection,
        actor=inspector(inspection.proposal.province.code),
        upload=upload(content, name),
        caption=caption,
    )


@pytest.fixture
def inspection(world):
    return plan(in_implementation(14))


def test_capture_time_and_gps_are_read_from_exif(inspection):
    content = jpeg()
    photo = add(inspection, content, name="IMG_0001.JPG", caption="Máy sấy")
    photo.refresh_from_db()
    # 09:30:05 on the camera, Vietnamese time: 02:30:05 UTC.
    assert photo.taken_at == datetime.datetime(2026, 11, 20, 9, 30, 5, tzinfo=HCM)
    assert photo.taken_at.astimezone(datetime.UTC).hour == 2
    # 21° 1′ 42.5″ N, 105° 48′ 17.3″ E
    assert photo.latitude == Decimal("21.028472")
    assert photo.longitude == Decimal("105.804806")
    assert photo.sha256 == hashlib.sha256(content).hexdigest()
    assert photo.size == len(content) and photo.original_name == "IMG_0001.JPG"
    assert photo.caption == "Máy sấy" and photo.uploaded_by == inspector(14)
    assert photo.image.name.startswith("inspections/photos/") and photo.image.name.endswith(".jpg")
    assert "IMG_0001" not in photo.image.name  # stored under a random name
    with photo.image.open("rb") as stored:
        assert stored.read() == content
    event = ProposalEvent.objects.filter(proposal=inspection.proposal).latest("id")
    assert (event.action, event.comment) == ("inspection_photo", "Máy sấy")


def test_the_cameras_own_offset_and_southern_western_positions(inspection):
    photo = add(
        inspection,
        jpeg(
            taken="2026:11:20 09:30:05",
            offset="+09:00",
            latitude=((33, 1), (51, 1), (5400, 100)),
            latitude_ref="S",
            longitude=((151, 1), (12, 1), (3600, 100)),
            longitude_ref="W",
        ),
    )
    photo.refresh_from_db()
    assert photo.taken_at == datetime.datetime(2026, 11, 20, 0, 30, 5, tzinfo=datetime.UTC)
    assert photo.latitude == Decimal("-33.865000")
    assert photo.longitude == Decimal("-151.210000")


def test_a_photo_without_exif_has_no_time_and_no_position(inspection):
    photo = add(inspection, plain_jpeg())
    photo.refresh_from_db()
    assert photo.taken_at is None and photo.latitude is None and photo.longitude is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"taken": "0000:00:00 00:00:00", "latitude": None},
        {"taken": "garbage", "latitude": None},
        {
            "taken": None,
            "latitude": ((0, 1), (0, 1), (0, 1)),
            "longitude": ((0, 1), (0, 1), (0, 1)),
        },
        {"taken": None, "latitude": ((95, 1), (0, 1), (0, 1))},  # beyond the pole
        {"taken": None, "latitude": ((21, 1), (1, 0), (0, 1))},  # zero denominator
    ],
)
def test_impossible_exif_values_are_left_out_not_guessed(inspection, kwargs):
    photo = add(inspection, jpeg(**kwargs))
    photo.refresh_from_db()
    assert photo.taken_at is None
    assert photo.latitude is None and photo.longitude is None


def test_png_is_accepted_and_stored_as_png_whatever_its_name(inspection):
    photo = add(inspection, jpeg(fmt="PNG"), name="anh-chup.jpg")
    assert photo.image.name.endswith(".png")
    assert photo.taken_at is not None and photo.latitude is not None


@pytest.mark.parametrize(
    "content,name",
    [
        (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "bien-ban.jpg"),
        (b"GIF89a" + b"\x00" * 40, "anh.gif"),
        (b"", "empty.jpg"),
    ],
)
def test_a_file_that_is_not_a_jpeg_or_png_photo_is_refused_in_vietnamese(inspection, content, name):
    with pytest.raises(ValidationError) as caught:
        add(inspection, content, name=name)
    message = caught.value.message_dict["image"][0]
    assert "không phải là ảnh JPEG hoặc PNG" in message
    assert not InspectionPhoto.objects.exists()


def test_a_gif_picture_is_refused_too(inspection):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    with pytest.raises(ValidationError):
        add(inspection, out.getvalue(), name="anh.gif")


def test_a_truncated_jpeg_is_refused(inspection):
    content = jpeg(size=(400, 300))
    with pytest.raises(ValidationError) as caught:
        add(inspection, content[: len(content) // 2])
    assert "image" in caught.value.message_dict


def test_a_truncated_photo_is_refused_after_weasyprint_switched_pillow_to_lenient(inspection):
    # WeasyPrint sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True on import, for the whole
    # process (a web process that renders a PDF, or a test run): the check must not rely on it.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(out, "PNG")
    for content in (jpeg(size=(400, 300)), out.getvalue()):
        with pytest.raises(ValidationError) as caught:
            add(inspection, content[: len(content) - 3], name="anh.png")
        assert "image" in caught.value.message_dict


def test_the_size_limit_is_a_setting_and_its_boundary_passes(inspection, settings):
    content = jpeg()
    settings.INSPECTION_PHOTO_MAX_BYTES = len(content) - 1
    with pytest.raises(ValidationError) as caught:
        add(inspection, content)
    assert "MB" in caught.value.message_dict["image"][0]
    settings.INSPECTION_PHOTO_MAX_BYTES = len(content)
    assert add(inspection, content).size == len(content)


def test_a_picture_of_too_many_pixels_is_refused_before_decoding(inspection, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 64 * 48 - 1)
    with pytest.raises(ValidationError) as caught:
        add(inspection, jpeg(size=(64, 48)))
    assert "megapixel" in caught.value.message_dict["image"][0]
    monkeypatch.setattr(photos, "MAX_PIXELS", 64 * 48)
    assert add(inspection, jpeg(size=(64, 48))).pk


def test_the_same_photo_twice_is_refused(inspection):
    content = jpeg()
    add(inspection, content)
    with pytest.raises(ValidationError) as caught:
        add(inspection, content, name="copy.jpg")
    assert "image" in caught.value.message_dict
    assert InspectionPhoto.objects.count() == 1


def test_no_photo_is_added_or_removed_once_concluded(inspection):
    photo = add(inspection, jpeg())
    inspection = record_all(inspection)
    conclude(inspection, Result.COMPLIANT)
    with pytest.raises(ValidationError):
        add(inspection, plain_jpeg())
    with pytest.raises(ValidationError):
        services.photo_delete(photo=photo, actor=inspector(14))


def test_removing_a_photo_deletes_its_file_after_the_commit(
    inspection, django_capture_on_commit_callbacks
):
    photo = add(inspection, jpeg())
    name = photo.image.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.photo_delete(photo=photo, actor=inspector(14))
    assert len(callbacks) == 1
    assert not InspectionPhoto.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(name)


def test_the_thumbnail_is_a_small_upright_jpeg(inspection):
    photo = add(inspection, jpeg(size=(1200, 900)))
    data = photos.thumbnail(photo)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == photos.THUMBNAIL_SIDE
    assert photos.thumbnail(photo) == data  # cached
