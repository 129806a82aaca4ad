"""Photos of a case (docs/photos.md): what the EXIF says (capture time, place, device), read
while the upload waits; the watermarked display copy and thumbnail (the original is stored
as uploaded and never touched), the perceptual hash and the near-duplicate search over every
photo of the firm, made in the background (claims.tasks, decision 0019); and the
authenticity findings a reviewer sees."""

import math
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from io import BytesIO
from zoneinfo import ZoneInfo

import imagehash
from django.conf import settings
from django.db import connection
from django.db.models import IntegerField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw, ImageFile, ImageFont, ImageOps

from lossdesk.claims.choices import PhotoCheck
from lossdesk.claims.models import Attachment, PhotoHash

DISPLAY_SIZE = 1600  # long side of the display copy, px
THUMBNAIL_SIZE = 320  # long side of the thumbnail, px
JPEG_QUALITY = 82

# A near-duplicate: pHashes at most this many bits apart (of 64). The band search finds
# every pair up to 7 apart (PhotoHash), so the threshold may not exceed 7.
NEAR_DUPLICATE_BITS = 6
BAND_BITS = 16
BANDS = 64 // BAND_BITS

# Authenticity thresholds: a phone clock or a reported accident time is rarely exact.
CLOCK_TOLERANCE = timedelta(hours=1)
LATE_AFTER_REPORT = timedelta(days=30)
FAR_FROM_ACCIDENT_KM = 5

MASK64 = (1 << 64) - 1


# --------------------------------------------------------------------------------- EXIF


@dataclass(frozen=True)
class PhotoExif:
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    device: str = ""
    raw: dict = field(default_factory=dict)  # the tags we read, as JSON-safe values


# The tags kept in Attachment.exif, by IFD.
BASE_TAGS = ("Make", "Model", "DateTime", "Orientation", "Software")
EXIF_TAGS = ("DateTimeOriginal", "OffsetTimeOriginal", "SubsecTimeOriginal")
GPS_TAGS = ("GPSLatitudeRef", "GPSLatitude", "GPSLongitudeRef", "GPSLongitude", "GPSDateStamp")


def read_exif(image: Image.Image) -> PhotoExif:
    """Capture time, GPS position and device from an open image's EXIF; what is missing or
    unreadable stays empty (a photo without EXIF is flagged, not refused)."""
    try:
        exif = image.getexif()
        base = _named(exif, ExifTags.TAGS)
        detail = _named(exif.get_ifd(ExifTags.IFD.Exif), ExifTags.TAGS)
        gps = _named(exif.get_ifd(ExifTags.IFD.GPSInfo), ExifTags.GPSTAGS)
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):
        return PhotoExif()
    raw = {
        **{k: _json(base[k]) for k in BASE_TAGS if k in base},
        **{k: _json(detail[k]) for k in EXIF_TAGS if k in detail},
        **{k: _json(gps[k]) for k in GPS_TAGS if k in gps},
    }
    device = " ".join(
        dict.fromkeys(str(base.get(k, "")).strip("\x00 ") for k in ("Make", "Model"))
    ).strip()
    return PhotoExif(
        taken_at=_taken_at(
            detail.get("DateTimeOriginal") or base.get("DateTime"), detail.get("OffsetTimeOriginal")
        ),
        latitude=_coordinate(gps.get("GPSLatitude"), gps.get("GPSLatitudeRef"), "S", 90),
        longitude=_coordinate(gps.get("GPSLongitude"), gps.get("GPSLongitudeRef"), "W", 180),
        device=device[:100],
        raw=raw,
    )


def _named(ifd, names: dict) -> dict:
    return {names.get(tag, str(tag)): value for tag, value in ifd.items()}


def _json(value):
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip("\x00 ")
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, int | str):
        return value.strip("\x00 ") if isinstance(value, str) else value
    try:
        return float(value)  # IFDRational
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)


def _taken_at(text, offset) -> datetime | None:
    """EXIF times are the camera's local time; with no offset tag, the firm's zone."""
    try:
        naive = datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    zone = ZoneInfo(settings.TIME_ZONE)
    if offset:
        try:
            return datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{offset}", "%Y-%m-%d %H:%M:%S%z")
        except ValueError:
            pass
    return naive.replace(tzinfo=zone)


def _coordinate(value, ref, negative: str, limit: int) -> Decimal | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
        result = Decimal(str(degrees + minutes / 60 + seconds / 3600))
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        return None
    if not result.is_finite() or result > limit:
        return None
    if str(ref or "").strip("\x00 ").upper() == negative:
        result = -result
    return result.quantize(Decimal("0.000001"))


def read_photo(content: bytes, content_type: str) -> PhotoExif:
    """What the upload itself does with a photo (the copies and the hash come later, in the
    background): the EXIF, from the file's header only (no pixel is decoded), after a cheap
    look at the end of a JPEG. OSError when the picture is cut short."""
    if content_type == "image/jpeg" and not _jpeg_ends(content):
        raise OSError("image cut short")
    return read_exif(Image.open(BytesIO(content)))


def _jpeg_ends(content: bytes) -> bool:
    """Whether the JPEG's last scan (SOS marker) is followed by its end-of-image marker
    (phones may append records after it). PNG and WebP cut short do not pass the sniffer
    (core.uploads); a HEIC cut short fails in the background task, the original kept."""
    return content.rfind(b"\xff\xd9") > content.rfind(b"\xff\xda") >= 0


# ------------------------------------------------------------------ derivatives and hash


@dataclass(frozen=True)
class PreparedPhoto:
    exif: PhotoExif
    display: bytes
    thumbnail: bytes
    phash: int  # signed 64-bit


def prepare_photo(content: bytes, watermark) -> PreparedPhoto:
    """Read the EXIF, make the display copy and the thumbnail (EXIF orientation applied,
    then `watermark(exif)` — its lines — stamped on each) and the perceptual hash of the
    picture without the watermark. OSError when the image does not decode to the end."""
    image = Image.open(BytesIO(content))  # in memory: nothing to close
    exif = read_exif(image)
    # JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the display size: most
    # of the time of a phone photo's upload is spent here otherwise.
    image.draft("RGB", _fit(image.size, DISPLAY_SIZE))
    with _truncation_refused():
        image.load()
    # Both copy the whole picture even when there is nothing to do: only when there is.
    if exif.raw.get("Orientation", 1) != 1:
        image = ImageOps.exif_transpose(image)
    picture = image if image.mode == "RGB" else image.convert("RGB")
    # reducing_gap: a box reduction first, then the filter; as good to the eye, much faster.
    picture.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    small = picture.resize(
        _fit(picture.size, THUMBNAIL_SIZE), Image.Resampling.BICUBIC, reducing_gap=2.0
    )
    phash = to_signed(int(str(imagehash.phash(small)), 16))  # before any watermark
    lines = watermark(exif)
    return PreparedPhoto(
        exif=exif,
        display=_jpeg(_stamp(picture, lines)),
        thumbnail=_jpeg(_stamp(small, lines)),
        phash=phash,
    )


@contextmanager
def _truncation_refused():
    """A photo cut short raises OSError while it decodes. WeasyPrint, once imported (the
    adjusting report's PDF), tells Pillow to decode such files for the whole process, grey
    where the bytes stop."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1, long_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _jpeg(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return buffer.getvalue()


def _stamp(image: Image.Image, lines: list[str]) -> Image.Image:
    """The lines in white on a dark band along the bottom of `image` (drawn in place)."""
    stamped = image
    size = max(9, stamped.width // 40)
    font = watermark_font(size)
    draw = ImageDraw.Draw(stamped, "RGBA")
    line_height = round(size * 1.35)
    top = stamped.height - line_height * len(lines) - size // 2
    draw.rectangle((0, top, stamped.width, stamped.height), fill=(0, 0, 0, 110))
    for n, line in enumerate(lines):
        draw.text((size // 2, top + size // 4 + n * line_height), line, font=font, fill="white")
    return stamped


@cache
def cjk_font_path() -> str | None:
    """The Noto CJK font (Debian fonts-noto-cjk) through fontconfig; None without it."""
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=5
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    paths = sorted(line.rstrip(": ") for line in found if line.strip())
    noto = [p for p in paths if "NotoSansCJK" in p and "Regular" in p]
    return (noto or paths or [None])[0]


@cache
def _font_index(path: str) -> int:
    """Of a collection (.ttc), the face that draws Simplified Chinese shapes."""
    for index in range(10):
        try:
            name = ImageFont.truetype(path, 10, index=index).getname()[0] or ""
        except OSError:
            break
        if name.endswith(" SC"):
            return index
    return 0


@cache
def watermark_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path is not None:
        try:
            return ImageFont.truetype(path, size, index=_font_index(path))
        except OSError:
            pass
    # Without a CJK font the Chinese shows as boxes, the numbers and times still read.
    return ImageFont.load_default(size)


def watermark_lines(
    case, exif: PhotoExif, surveyor: str, place: str, uploaded_at: datetime | None = None
) -> list[str]:
    """Case number, capture time (or the upload time, said so), coordinates (or the
    reported place) and the surveyor."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if exif.taken_at is not None:
        when = f"拍摄 {exif.taken_at.astimezone(zone):%Y-%m-%d %H:%M}"
    else:
        uploaded = (uploaded_at or timezone.now()).astimezone(zone)
        when = f"上传 {uploaded:%Y-%m-%d %H:%M}（无拍摄时间）"
    if exif.latitude is not None and exif.longitude is not None:
        where = f"GPS {exif.latitude:.5f}, {exif.longitude:.5f}"
    else:
        where = f"出险地点 {place}"[:60]
    return [f"{case.case_no}  {when}", where, f"查勘员 {surveyor}"]


# ------------------------------------------------------------------ near-duplicate search


def to_signed(value: int) -> int:
    value &= MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def bands(phash: int) -> list[int]:
    """The hash's four 16-bit bands, as signed smallints (PhotoHash.band0…band3)."""
    mask = (1 << BAND_BITS) - 1
    unsigned = [(phash & MASK64) >> (BAND_BITS * i) & mask for i in range(BANDS)]
    return [b - (1 << BAND_BITS) if b >= 1 << (BAND_BITS - 1) else b for b in unsigned]


def band_probes(band: int) -> list[int]:
    """The band and its 16 one-bit neighbours (signed)."""
    unsigned = band & ((1 << BAND_BITS) - 1)
    values = [unsigned, *(unsigned ^ (1 << bit) for bit in range(BAND_BITS))]
    return [v - (1 << BAND_BITS) if v >= 1 << (BAND_BITS - 1) else v for v in values]


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & MASK64).bit_count()


def hash_fields(phash: int) -> dict:
    """PhotoHash's columns for `phash`."""
    return {"phash": phash, **{f"band{i}": b for i, b in enumerate(bands(phash))}}


def near_hashes(phash: int, max_bits: int = NEAR_DUPLICATE_BITS) -> dict[int, int]:
    """Stored hashes within `max_bits` of `phash` → their distance. One UNION of four index
    probes (each band and its one-bit neighbours), then the distance of each candidate:
    on PostgreSQL already in the index scan (bit_count), so only the matches come back."""
    if max_bits > 7:
        raise ValueError("the band search finds hashes at most 7 bits apart")
    probes = [
        _within(
            PhotoHash.objects.filter(**{f"band{i}__in": band_probes(b)}), phash, max_bits
        ).values_list("phash")
        for i, b in enumerate(bands(phash))
    ]
    candidates = probes[0].union(*probes[1:]).order_by()
    found = {}
    for (candidate,) in candidates:
        distance = hamming(candidate, phash)
        if distance <= max_bits:
            found[candidate] = distance
    return found


def _within(hashes, phash: int, max_bits: int):
    if connection.vendor != "postgresql":
        return hashes  # SQLite has no bit_count: the caller computes every distance
    distance = RawSQL("bit_count((phash # %s)::bit(64))", [phash], output_field=IntegerField())
    return hashes.alias(distance=distance).filter(distance__lte=max_bits)


def nearest_in_other_cases(phash: int, case_id: int):
    """The stored photo of another case closest to `phash` (within NEAR_DUPLICATE_BITS), as
    (attachment with its case, distance), or None."""
    found = near_hashes(phash)
    if not found:
        return None
    # Each found hash through its first band's index with the hash.
    where = Q()
    for value in found:
        where |= Q(photo_hash__band0=bands(value)[0], photo_hash__phash=value)
    others = (
        Attachment.objects.filter(where)
        .exclude(case_id=case_id)
        .select_related("case")
        .only("id", "case__case_no", "photo_hash__phash")
        .order_by("uploaded_at", "id")
    )
    best = min(others, key=lambda a: found[a.photo_hash.phash], default=None)
    return None if best is None else (best, found[best.photo_hash.phash])


# ----------------------------------------------------------------------- authenticity


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def finding(code: PhotoCheck, message: str, **data) -> dict:
    return {"code": code.value, "message": message, **data}


def check_photo(exif: PhotoExif, report, duplicate=None) -> list[dict]:
    """The authenticity findings of a photo of the case reported in `report`: the EXIF's
    presence, capture time against the accident and report times, GPS against the accident
    place (only where the report has coordinates: places are not geocoded), and a
    near-duplicate in another case ((attachment, distance) from nearest_in_other_cases)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    findings = []
    if not exif.raw:
        findings.append(
            finding(PhotoCheck.NO_EXIF, "照片无拍摄信息（EXIF），无法核对拍摄时间和地点。")
        )
    elif exif.taken_at is None:
        findings.append(finding(PhotoCheck.NO_CAPTURE_TIME, "照片无拍摄时间。"))
    if exif.taken_at is not None:
        taken = f"{exif.taken_at.astimezone(zone):%Y-%m-%d %H:%M}"
        if exif.taken_at < report.accident_time - CLOCK_TOLERANCE:
            accident = f"{report.accident_time.astimezone(zone):%Y-%m-%d %H:%M}"
            findings.append(
                finding(
                    PhotoCheck.TAKEN_BEFORE_ACCIDENT,
                    f"拍摄时间 {taken} 早于出险时间 {accident}。",
                )
            )
        if exif.taken_at > report.reported_at + LATE_AFTER_REPORT:
            findings.append(
                finding(
                    PhotoCheck.TAKEN_LONG_AFTER_REPORT,
                    f"拍摄时间 {taken} 晚于报案 {LATE_AFTER_REPORT.days} 天以上。",
                )
            )
    if exif.raw and exif.latitude is None:
        findings.append(finding(PhotoCheck.NO_LOCATION, "照片无拍摄位置（GPS）。"))
    elif exif.latitude is not None and report.accident_lat is not None:
        km = distance_km(exif.latitude, exif.longitude, report.accident_lat, report.accident_lng)
        if km > FAR_FROM_ACCIDENT_KM:
            findings.append(
                finding(
                    PhotoCheck.FAR_FROM_ACCIDENT,
                    f"拍摄地距出险地约 {km:.1f} 公里。",
                    distance_km=round(km, 1),
                )
            )
    if duplicate is not None:
        other, bits = duplicate
        findings.append(
            finding(
                PhotoCheck.NEAR_DUPLICATE,
                f"与案件 {other.case.case_no} 的照片（附件 {other.pk}）高度相似"
                f"（相差 {bits} 位）。",
                attachment=other.pk,
                case_no=other.case.case_no,
                distance=bits,
            )
        )
    return findings
