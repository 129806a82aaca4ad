"""Photos (issue 13): EXIF read and stored, watermarked derivatives beside an untouched
original, uploads made safe to retry by Idempotency-Key, nothing left of a failed upload, and
the authenticity findings (capture time, place, missing EXIF, near-duplicates in other
cases) with the indexed band search that finds exactly what a full scan finds."""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageFile

from lossdesk.claims import photos, services
from lossdesk.claims.choices import AttachmentKind, DocumentType, PhotoCheck
from lossdesk.claims.models import Attachment, CaseEvent, PhotoHash
from lossdesk.intake.models import Report
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHOTO = {"kind": AttachmentKind.PHOTO, "doc_type": DocumentType.DAMAGE_PHOTO}
WEST_LAKE = (Decimal("30.259200"), Decimal("120.130000"))


def picture(seed: int, size=(800, 600)) -> Image.Image:
    """A picture of coloured blocks: another seed, another perceptual hash."""
    blocks = np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(blocks).resize(size, Image.Resampling.NEAREST)


def dms(value: Decimal) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = float((value - degrees - Decimal(minutes) / 60) * 3600)
    return float(degrees), float(minutes), seconds


def jpeg(
    seed=1,
    *,
    taken: datetime | None = None,
    place: tuple[Decimal, Decimal] | None = None,
    orientation: int | None = None,
    device=("Apple", "iPhone 15"),
    size=(800, 600),
    image: Image.Image | None = None,
) -> bytes:
    """A phone photo: a JPEG with the EXIF a camera writes (or none at all)."""
    exif = Image.Exif()
    if device:
        exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = device
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if taken:
        detail = exif.get_ifd(ExifTags.IFD.Exif)
        detail[ExifTags.Base.DateTimeOriginal] = f"{taken.astimezone(SHANGHAI):%Y:%m:%d %H:%M:%S}"
    if place:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", dms(place[0])
        gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", dms(place[1])
    buffer = BytesIO()
    (image or picture(seed, size)).save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def upload(content: bytes, name="damage.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def post_photo(user, case, content: bytes, key: str | None = None, **extra):
    headers = {"Idempotency-Key": key} if key else {}
    return client_for(user).post(
        f"{API}/cases/{case.case_no}/attachments",
        {"file": upload(content), **PHOTO, **extra},
        format="multipart",
        headers=headers,
    )


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def case_near_west_lake(firm, **overrides):
    case = firm.surveying_case(**overrides)
    Report.objects.filter(pk=case.report_id).update(
        accident_lat=WEST_LAKE[0], accident_lng=WEST_LAKE[1]
    )
    case.refresh_from_db()
    return case


# ------------------------------------------------------------------ EXIF and derivatives


def test_an_uploaded_photo_keeps_its_exif_its_original_bytes_and_gets_watermarked_copies(
    firm, settings
):
    case = case_near_west_lake(firm)
    taken = case.report.accident_time + timedelta(minutes=50)
    content = jpeg(taken=taken, place=WEST_LAKE, orientation=6, size=(2400, 1800))
    response = post_photo(firm.zhangsan, case, content, key="photo-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["taken_at"] == taken.astimezone(SHANGHAI).replace(microsecond=0).isoformat()
    assert (body["latitude"], body["longitude"]) == ("30.259200", "120.130000")
    assert body["device"] == "Apple iPhone 15"
    assert body["category"] == "damage_detail"
    assert body["checks"] == []
    assert body["duplicate_of"] is None

    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.exif["DateTimeOriginal"] == f"{taken.astimezone(SHANGHAI):%Y:%m:%d %H:%M:%S}"
    assert attachment.exif["Orientation"] == 6
    with attachment.file.open("rb") as original:
        assert original.read() == content  # byte for byte
    client = client_for(firm.zhangsan)
    original = client.get(body["download_url"])
    assert b"".join(original.streaming_content) == content
    display = client.get(body["display_url"])
    assert display.status_code == 200 and display["Content-Type"] == "image/jpeg"
    shown = Image.open(BytesIO(b"".join(display.streaming_content)))
    # Orientation 6 (turned 90°) applied: the landscape sensor picture stands upright.
    assert shown.size == (1200, 1600)
    thumb = Image.open(BytesIO(b"".join(client.get(body["thumbnail_url"]).streaming_content)))
    assert thumb.size == (240, 320)
    # The watermark: the band along the bottom is darker than the same rows unstamped.
    plain = picture(1, (2400, 1800)).transpose(Image.Transpose.ROTATE_270).resize((1200, 1600))
    stamped_band = shown.crop((0, 1540, 1200, 1600)).convert("L")
    plain_band = plain.crop((0, 1540, 1200, 1600)).convert("L")
    assert np.asarray(stamped_band).mean() < np.asarray(plain_band).mean() - 20
    assert len(media_files(settings)) == 3


def test_the_watermark_names_case_capture_time_coordinates_and_surveyor(firm):
    case = firm.surveying_case()
    taken = datetime(2026, 3, 5, 14, 7, tzinfo=SHANGHAI)
    exif = photos.PhotoExif(taken_at=taken, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    assert photos.watermark_lines(case, exif, "张三", "文三路") == [
        f"{case.case_no}  拍摄 2026-03-05 14:07",
        "GPS 30.25920, 120.13000",
        "查勘员 张三",
    ]
    lines = photos.watermark_lines(case, photos.PhotoExif(), "张三", "文三路")
    assert "（无拍摄时间）" in lines[0] and lines[1] == "出险地点 文三路"
    assert photos.cjk_font_path() is not None  # Debian fonts-noto-cjk draws the Chinese


def test_exif_of_a_photo_west_and_south_and_with_an_offset_is_read_as_written():
    exif = Image.Exif()
    detail = exif.get_ifd(ExifTags.IFD.Exif)
    detail[ExifTags.Base.DateTimeOriginal] = "2026:01:02 03:04:05"
    detail[ExifTags.Base.OffsetTimeOriginal] = "-05:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "S", (33.0, 52.0, 4.8)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "W", (70.0, 30.0, 0.0)
    buffer = BytesIO()
    picture(3).save(buffer, "JPEG", exif=exif)
    read = photos.read_exif(Image.open(buffer))
    assert read.taken_at == datetime.fromisoformat("2026-01-02T03:04:05-05:00")
    assert (read.latitude, read.longitude) == (Decimal("-33.868000"), Decimal("-70.500000"))
    assert read.device == ""


def test_a_heic_and_a_webp_photo_are_accepted_with_derivatives(firm):
    case = firm.surveying_case()
    for fmt, name in (("HEIF", "iphone.heic"), ("WEBP", "android.webp")):
        buffer = BytesIO()
        picture(7).save(buffer, fmt)
        response = client_for(firm.zhangsan).post(
            f"{API}/cases/{case.case_no}/attachments",
            {"file": SimpleUploadedFile(name, buffer.getvalue()), **PHOTO},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        assert response.json()["thumbnail_url"] is not None


# --------------------------------------------------------------------------- idempotency


def test_a_retry_with_the_same_key_and_bytes_answers_the_first_attachment(firm, settings):
    case = firm.surveying_case()
    content = jpeg(taken=case.report.accident_time)
    first = post_photo(firm.zhangsan, case, content, key="7f1c-photo")
    version_after_first = first.json()["case_version"]
    # The retry carries the version the phone saw before the first try: not a conflict.
    retry = post_photo(firm.zhangsan, case, content, key="7f1c-photo", version=case.version)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry["Idempotent-Replay"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["case_version"] == version_after_first
    assert case.attachments.count() == 1
    assert CaseEvent.objects.filter(case=case, type="attachment_added").count() == 1
    assert len(media_files(settings)) == 3


def test_a_different_file_under_a_used_key_is_a_409(firm, settings):
    case = firm.surveying_case()
    post_photo(firm.zhangsan, case, jpeg(1), key="k-1")
    response = post_photo(firm.zhangsan, case, jpeg(2), key="k-1")
    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert case.attachments.count() == 1
    assert len(media_files(settings)) == 3


def test_the_same_key_in_another_case_is_another_photo(firm):
    one, two = firm.surveying_case(), firm.surveying_case()
    assert post_photo(firm.zhangsan, one, jpeg(1), key="k-1").status_code == 201
    assert post_photo(firm.zhangsan, two, jpeg(1), key="k-1").status_code == 201


def test_a_malformed_key_is_a_400(firm):
    case = firm.surveying_case()
    response = post_photo(firm.zhangsan, case, jpeg(1), key="中文 key")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_idempotency_key"
    assert not case.attachments.exists()


def test_a_request_racing_a_first_one_with_the_key_gets_its_attachment(firm, monkeypatch):
    """The look-ups before the insert saw nothing (the other request had not committed);
    the unique constraint refuses the second row and the first one is answered."""
    case = firm.surveying_case()
    content = jpeg(1)
    first = services.do_add_attachment(
        case, upload(content), **PHOTO, idempotency_key="race", actor=firm.zhangsan
    )
    real = services.replayed_attachment
    calls = []

    def not_yet_committed(case, file, key):
        calls.append(key)
        return None if len(calls) <= 1 else real(case, file, key)

    monkeypatch.setattr(services, "replayed_attachment", not_yet_committed)
    again = services.do_add_attachment(
        case, upload(content), **PHOTO, idempotency_key="race", actor=firm.zhangsan
    )
    assert len(calls) == 2  # under the case's lock, then after the constraint refused
    assert again.pk == first.pk and again.replayed
    assert case.attachments.count() == 1


def test_the_database_refuses_a_second_row_under_one_key(firm):
    case = firm.surveying_case()
    services.do_add_attachment(
        case, upload(jpeg(1)), **PHOTO, idempotency_key="k", actor=firm.zhangsan
    )
    row = case.attachments.get()
    row.pk = None
    with pytest.raises(IntegrityError):
        row.save()


# ------------------------------------------------------------------------ bad input


def test_an_upload_failing_after_its_files_were_written_leaves_no_row_and_no_file(
    firm, settings, monkeypatch
):
    case = firm.surveying_case()
    version = case.version

    def cut(*args, **kwargs):
        raise ConnectionResetError("connection cut")

    monkeypatch.setattr(services, "record_event", cut)
    with pytest.raises(ConnectionResetError):
        services.do_add_attachment(
            case, upload(jpeg(1)), **PHOTO, idempotency_key="k", actor=firm.zhangsan
        )
    assert not Attachment.objects.exists() and not PhotoHash.objects.exists()
    assert media_files(settings) == []
    case.refresh_from_db()
    assert case.version == version


def test_a_batch_failing_at_its_second_file_keeps_nothing_of_the_first(firm, settings):
    case = firm.surveying_case()
    page = Client()
    page.force_login(firm.zhangsan)
    response = page.post(
        f"/cases/{case.case_no}/attachments/new/",
        {
            "files": [upload(jpeg(1), "a.jpg"), upload(b"not an image", "b.jpg")],
            "kind": "photo",
            "doc_type": "damage_photo",
        },
    )
    assert response.status_code == 400  # the form again, with the error
    assert "b.jpg：不支持该文件类型" in response.content.decode()
    assert not Attachment.objects.exists()
    assert media_files(settings) == []


def test_a_truncated_photo_is_a_400_and_a_retry_with_the_key_stores_it(firm, settings, monkeypatch):
    # As WeasyPrint leaves it for the whole process once imported (the report's PDF).
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    case = firm.surveying_case()
    content = jpeg(1, size=(1600, 1200))
    response = post_photo(firm.zhangsan, case, content[: len(content) // 2], key="k")
    assert response.status_code == 400
    assert error_of(response)["code"] == "damaged_image"
    assert media_files(settings) == []
    assert post_photo(firm.zhangsan, case, content, key="k").status_code == 201


def test_a_file_that_is_not_an_image_is_a_400_in_chinese(firm):
    case = firm.surveying_case()
    response = post_photo(firm.zhangsan, case, b"%PDF-1.4 a document", key="k")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unsupported_file_type"
    assert error["message"] == "不支持该文件类型，只接受 JPEG、PNG、WebP 或 HEIC 图片。"


def test_a_file_over_the_limit_is_a_400_file_too_large_and_a_retry_is_clean(firm, settings):
    settings.LOSSDESK_MAX_ATTACHMENT_SIZE = 50_000
    case = firm.surveying_case()
    response = post_photo(firm.zhangsan, case, jpeg(1, size=(3000, 2000)), key="big")
    assert response.status_code == 400
    assert error_of(response)["code"] == "file_too_large"
    assert media_files(settings) == []
    assert post_photo(firm.zhangsan, case, jpeg(1), key="big").status_code == 201


def test_a_photo_for_a_case_the_surveyor_no_longer_sees_is_a_404(firm, settings):
    case = firm.surveying_case()
    response = post_photo(firm.wangwu, case, jpeg(1), key="k")  # 宁波
    assert response.status_code == 404
    assert media_files(settings) == []
    first = post_photo(firm.zhangsan, case, jpeg(1), key="k").json()
    for name in ("display_url", "thumbnail_url", "download_url"):
        assert client_for(firm.wangwu).get(first[name]).status_code == 404


# ------------------------------------------------------------------------ authenticity


def codes(response) -> list[str]:
    return [check["code"] for check in response.json()["checks"]]


def test_a_photo_without_exif_is_accepted_and_flagged(firm):
    case = firm.surveying_case()
    buffer = BytesIO()
    picture(4).save(buffer, "JPEG")
    response = post_photo(firm.zhangsan, case, buffer.getvalue())
    assert response.status_code == 201
    assert codes(response) == [PhotoCheck.NO_EXIF]
    assert response.json()["taken_at"] is None


def test_capture_time_before_the_accident_or_long_after_the_report_is_flagged(firm):
    case = firm.surveying_case()
    report = case.report
    early = post_photo(firm.zhangsan, case, jpeg(1, taken=report.accident_time - timedelta(days=2)))
    late = post_photo(firm.zhangsan, case, jpeg(2, taken=report.reported_at + timedelta(days=40)))
    assert codes(early) == [PhotoCheck.TAKEN_BEFORE_ACCIDENT, PhotoCheck.NO_LOCATION]
    assert codes(late) == [PhotoCheck.TAKEN_LONG_AFTER_REPORT, PhotoCheck.NO_LOCATION]


def test_gps_far_from_the_accident_place_is_flagged_only_where_the_report_has_coordinates(firm):
    ningbo = (Decimal("29.868300"), Decimal("121.544000"))
    located = case_near_west_lake(firm)
    taken = located.report.accident_time
    far = post_photo(firm.zhangsan, located, jpeg(1, taken=taken, place=ningbo))
    assert codes(far) == [PhotoCheck.FAR_FROM_ACCIDENT]
    assert 140 < far.json()["checks"][0]["distance_km"] < 160
    unlocated = firm.surveying_case()  # no coordinates on the report: nothing to compare
    response = post_photo(firm.zhangsan, unlocated, jpeg(2, taken=taken, place=ningbo))
    assert codes(response) == []


def test_a_near_duplicate_in_another_case_is_flagged_with_both_cases(firm):
    first_case, second_case = firm.surveying_case(), firm.surveying_case()
    taken = first_case.report.accident_time
    original = post_photo(firm.zhangsan, first_case, jpeg(9, taken=taken, place=WEST_LAKE))
    # The same picture twice in one case is a second shot, not a duplicate claim.
    reshot = post_photo(
        firm.zhangsan, first_case, jpeg(9, taken=taken, place=WEST_LAKE, size=(700, 525))
    )
    assert reshot.json()["duplicate_of"] is None and reshot.json()["checks"] == []
    # The same damage in another case, re-encoded smaller and brighter: not the same bytes.
    again = picture(9).resize((640, 480)).point(lambda v: min(255, v + 6))
    copy = post_photo(firm.zhangsan, second_case, jpeg(image=again, taken=taken, place=WEST_LAKE))
    body = copy.json()
    assert body["duplicate_of"]["case_no"] == first_case.case_no
    assert body["duplicate_of"]["attachment"] in {original.json()["id"], reshot.json()["id"]}
    [check] = body["checks"]
    assert check["code"] == PhotoCheck.NEAR_DUPLICATE
    assert check["case_no"] == first_case.case_no
    assert check["distance"] <= photos.NEAR_DUPLICATE_BITS
    # A different picture is not similar.
    other = post_photo(firm.zhangsan, second_case, jpeg(10, taken=taken, place=WEST_LAKE))
    assert other.json()["duplicate_of"] is None
    # The reviewer sees it in the case detail and on the case page.
    detail = client_for(firm.lisi).get(f"{API}/cases/{second_case.case_no}").json()
    flagged = [a["id"] for a in detail["attachments"] if a["duplicate_of"]]
    assert flagged == [body["id"]]
    page = Client()
    page.force_login(firm.lisi)
    html = page.get(f"/cases/{second_case.case_no}/").content.decode()
    assert f"与案件 {first_case.case_no} 的照片" in html
    assert html.count('data-testid="photo-flagged"') == 1


# --------------------------------------------------------------------------- band search

hashes64 = st.integers(min_value=0, max_value=2**64 - 1)


def flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


@given(
    query=hashes64,
    near=st.lists(st.lists(st.integers(0, 63), min_size=0, max_size=9, unique=True), max_size=12),
    others=st.lists(hashes64, max_size=20),
    max_bits=st.integers(0, 7),
)
def test_the_band_search_finds_exactly_what_a_full_scan_finds(query, near, others, max_bits):
    query = photos.to_signed(query)
    stored = {photos.to_signed(flip(query, bits)) for bits in near}
    stored |= {photos.to_signed(v) for v in others}
    # Hash rows alone (the search reads only this table); the attachment foreign key is
    # checked at commit, and they are gone before the test's transaction ends.
    PhotoHash.objects.bulk_create(
        PhotoHash(attachment_id=10**9 + n, **photos.hash_fields(v)) for n, v in enumerate(stored)
    )
    try:
        found = photos.near_hashes(query, max_bits)
    finally:
        PhotoHash.objects.all().delete()
    brute = {v: photos.hamming(v, query) for v in stored}
    assert found == {v: d for v, d in brute.items() if d <= max_bits}


def test_the_band_search_refuses_a_radius_it_cannot_guarantee():
    with pytest.raises(ValueError):
        photos.near_hashes(0, 8)


def test_bands_split_the_hash_into_four_signed_sixteen_bit_values():
    value = photos.to_signed(0xFFFF_8000_7FFF_0001)
    assert photos.bands(value) == [1, 32767, -32768, -1]
    assert photos.to_signed(2**64 - 1) == -1 and photos.to_signed(5) == 5
