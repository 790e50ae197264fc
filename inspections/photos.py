"""Photos taken during an inspection: the content check (JPEG or PNG, whatever the file is
called), the capture time and place the camera wrote in the EXIF data, and the small
copies shown in the gallery."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.cache import cache
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
FORMATS = {"JPEG": ".jpg", "PNG": ".png"}
# What Pillow raises on a file it cannot read as an image (damaged, truncated, too large).
IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)
MICRO_DEGREE = Decimal("0.000001")
# A phone's largest photos are about 50 megapixels; decoding far more would only cost memory.
MAX_PIXELS = 100_000_000


class ImageTooLarge(Exception):
    """The picture has more pixels than :data:`MAX_PIXELS`."""

    def __init__(self, pixels: int):
        super().__init__(pixels)
        self.megapixels = pixels // 1_000_000


THUMBNAIL_SIDE = 320
THUMBNAIL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class PhotoFacts:
    """What the file says about itself."""

    suffix: str  # ".jpg" or ".png", from the content
    width: int
    height: int
    taken_at: datetime.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


# The last bytes of a whole file: JPEG's end-of-image marker, PNG's IEND chunk and its CRC.
# Checked on the bytes because Pillow's own check of a truncated file is a process-wide
# switch (ImageFile.LOAD_TRUNCATED_IMAGES) that WeasyPrint turns off when it is imported.
ENDINGS = {"JPEG": (b"\xff\xd9", 2), "PNG": (b"IEND", 8)}


def _ends_whole(upload, image_format: str) -> bool:
    marker, from_end = ENDINGS[image_format]
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    if size < from_end:
        return False
    upload.seek(size - from_end)
    return upload.read(len(marker)) == marker


def inspect_image(upload) -> PhotoFacts | None:
    """Read ``upload`` as an image: None when it is not a JPEG or PNG picture that can be
    decoded to the end (a renamed document, a damaged or truncated file); raises
    :class:`ImageTooLarge` before decoding a picture of too many pixels."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                return None
            if image.width * image.height > MAX_PIXELS:
                raise ImageTooLarge(image.width * image.height)
            exif = image.getexif()
            image.load()  # decode everything: a damaged file fails here
            if not _ends_whole(upload, image.format):
                return None  # truncated
            latitude, longitude = exif_position(exif)
            return PhotoFacts(
                suffix=FORMATS[image.format],
                width=image.width,
                height=image.height,
                taken_at=exif_taken_at(exif),
                latitude=latitude,
                longitude=longitude,
            )
    except IMAGE_ERRORS:
        return None
    finally:
        upload.seek(0)


def exif_taken_at(exif) -> datetime.datetime | None:
    """DateTimeOriginal (when the shutter was pressed), with the camera's own offset when
    it wrote one (OffsetTimeOriginal), else read as Vietnamese time (Asia/Ho_Chi_Minh)."""
    try:
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except IMAGE_ERRORS:
        return None
    value = _text(ifd.get(ExifTags.Base.DateTimeOriginal))
    if not value:
        return None
    try:
        moment = datetime.datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # "0000:00:00 00:00:00" or garbage: no time rather than a wrong one
    offset = _text(ifd.get(ExifTags.Base.OffsetTimeOriginal)).strip()
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", offset)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = datetime.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return moment.replace(tzinfo=datetime.timezone(sign * delta))
    return moment.replace(tzinfo=LOCAL_TIME)


def exif_position(exif) -> tuple[Decimal | None, Decimal | None]:
    """The GPS position in decimal degrees (6 decimals, about 10 cm), or (None, None) when
    the photo carries none, an impossible one, or the 0/0 some cameras write without a fix."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except IMAGE_ERRORS:
        return None, None
    latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    if latitude is None or longitude is None:
        return None, None
    if abs(latitude) > 90 or abs(longitude) > 180 or (latitude == 0 and longitude == 0):
        return None, None
    return latitude, longitude


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "ignore").strip("\x00")
    return value if isinstance(value, str) else ""


def _rational(value) -> Decimal:
    numerator = getattr(value, "numerator", None)
    if numerator is not None:
        return Decimal(numerator) / Decimal(value.denominator)
    if isinstance(value, tuple) and len(value) == 2:
        return Decimal(value[0]) / Decimal(value[1])
    return Decimal(str(value))


def _degrees(dms, ref) -> Decimal | None:
    """(degrees, minutes, seconds) and N/S/E/W → signed decimal degrees."""
    if not isinstance(dms, tuple) or len(dms) != 3:
        return None
    try:
        degrees, minutes, seconds = (_rational(part) for part in dms)
        value = degrees + minutes / 60 + seconds / 3600
    except (InvalidOperation, ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return None
    if not value.is_finite() or min(degrees, minutes, seconds) < 0:
        return None
    if _text(ref).upper() in ("S", "W"):
        value = -value
    return value.quantize(MICRO_DEGREE)


def thumbnail(photo) -> bytes:
    """A small JPEG of the photo, upright (EXIF orientation applied), for the gallery.
    Cached by content (sha256): the same photo is shrunk once."""
    key = f"inspection-thumbnail:{photo.sha256}:{THUMBNAIL_SIDE}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))  # JPEG: decode at a smaller scale
        image = ImageOps.exif_transpose(image)
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    data = out.getvalue()
    cache.set(key, data, THUMBNAIL_SECONDS)
    return data
