"""core.uploads: uploads are judged by their content against an allowlist, image sizes are
checked before anything decodes, and user files go out so that no browser runs them.

The hostile files are built here for real; the claims and parts tests reuse the builders."""

import struct
import warnings
import zlib
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from lossdesk.core.errors import ErrorCode, ImageTooLarge, ServiceError, UnsupportedFileType
from lossdesk.core.uploads import file_response, sniff_upload

SCRIPT = b"<script>fetch('/api/v1/cases').then(r => r.text()).then(alert)</script>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    + SCRIPT
    + b'<rect width="10" height="10"/></svg>'
)
HTML = b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"
MAX = 20 * 1024 * 1024


def image_bytes(fmt: str, size=(64, 48)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def heic(size=(64, 48)) -> bytes:
    """A real HEIC as an iPhone sends it (pillow-heif writes it)."""
    return image_bytes("HEIF", size)


def pdf() -> bytes:
    """A real one-page PDF (Pillow writes it)."""
    return image_bytes("PDF", (200, 280))


def photocd_polyglot() -> bytes:
    """An SVG with a script that Pillow, trying all its plugins, opens as a PhotoCD image:
    `PCD_` at byte 2048 is all that plugin looks at."""
    return SVG.ljust(2048, b" ") + b"PCD_" + b"\0" * 4096


def png_declaring(width: int, height: int) -> bytes:
    """A valid, all-black 1-bit PNG of the given size: a few kilobytes that decode into
    width × height pixels (a decompression bomb when large)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str = "damage.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# -------------------------------------------------------------------------------- in


def test_pillow_left_to_itself_takes_the_script_for_a_photocd_image():
    # Why the sniffing names its formats: this is the hole the helper closes.
    with Image.open(BytesIO(photocd_polyglot())) as image:
        assert image.format == "PCD"


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [
        (image_bytes("JPEG"), "image/jpeg", ".jpg"),
        (image_bytes("PNG"), "image/png", ".png"),
        (image_bytes("WEBP"), "image/webp", ".webp"),
        (heic(), "image/heif", ".heic"),
    ],
    ids=["jpeg", "png", "webp", "heic"],
)
def test_an_allowed_photo_is_stored_under_the_type_its_content_has(
    content, content_type, extension
):
    sniffed = sniff_upload(upload(content, "evil.svg", "image/svg+xml"), max_bytes=MAX)
    assert (sniffed.content_type, sniffed.width, sniffed.height) == (content_type, 64, 48)
    assert sniffed.as_file().name == f"upload{extension}"
    assert sniffed.content == content


def test_a_phone_jpeg_with_several_pictures_is_a_jpeg():
    buffer = BytesIO()
    extra = Image.new("RGB", (32, 24))
    Image.new("RGB", (64, 48)).save(buffer, "MPO", save_all=True, append_images=[extra])
    with Image.open(BytesIO(buffer.getvalue())) as image:
        assert image.format == "MPO"
    sniffed = sniff_upload(upload(buffer.getvalue()), max_bytes=MAX)
    assert (sniffed.content_type, sniffed.width, sniffed.as_file().name) == (
        "image/jpeg",
        64,
        "upload.jpg",
    )


def test_a_pdf_is_a_document_but_not_a_photo():
    document = sniff_upload(upload(pdf(), "scan.jpg"), max_bytes=MAX, allow_pdf=True)
    assert (document.content_type, document.width, document.height) == (
        "application/pdf",
        None,
        None,
    )
    with pytest.raises(UnsupportedFileType) as refused:
        sniff_upload(upload(pdf(), "scan.pdf", "application/pdf"), max_bytes=MAX)
    assert refused.value.fields == {
        "file": ["不支持该文件类型，只接受 JPEG、PNG、WebP 或 HEIC 图片。"]
    }


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (photocd_polyglot(), "damage.jpg", "image/jpeg"),
        (SVG, "damage.svg", "image/svg+xml"),
        (HTML, "damage.jpg", "image/jpeg"),
        (image_bytes("GIF"), "damage.gif", "image/gif"),
        (image_bytes("TIFF"), "damage.tif", "image/tiff"),
        (image_bytes("JPEG")[:40], "truncated.jpg", "image/jpeg"),
    ],
    ids=["photocd-script", "svg", "html-named-jpg", "gif", "tiff", "truncated-jpeg"],
)
@pytest.mark.parametrize("allow_pdf", [False, True], ids=["photo", "document"])
def test_anything_off_the_allowlist_is_refused_whatever_its_name_and_declared_type(
    content, name, content_type, allow_pdf
):
    with pytest.raises(UnsupportedFileType) as refused:
        sniff_upload(
            upload(content, name, content_type), max_bytes=MAX, allow_pdf=allow_pdf, field="x"
        )
    photos = "JPEG、PNG、WebP 或 HEIC 图片"
    accepted = "JPEG、PNG、WebP、HEIC 图片或 PDF 文件" if allow_pdf else photos
    assert refused.value.code == ErrorCode.UNSUPPORTED_FILE_TYPE == "unsupported_file_type"
    assert refused.value.status == 400
    assert refused.value.fields == {"x": [f"不支持该文件类型，只接受 {accepted}。"]}


def test_a_png_declaring_20000_by_20000_pixels_is_refused_before_it_decodes():
    bomb = png_declaring(20_000, 20_000)
    assert len(bomb) < 100_000  # small on the wire, 400 million pixels once decoded
    with pytest.raises(Image.DecompressionBombError):  # what used to escape as a 500
        Image.open(BytesIO(bomb))
    with pytest.raises(ImageTooLarge) as refused:
        sniff_upload(upload(bomb, "bomb.png", "image/png"), max_bytes=MAX)
    assert refused.value.code == "image_too_large" and refused.value.status == 400
    assert refused.value.fields == {"file": ["图片像素过多（上限 8947 万像素），请缩小后再上传。"]}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_between_once_and_twice_the_pixel_limit_is_refused_though_pillow_only_warns():
    bomb = png_declaring(10_000, 10_000)  # 100 million pixels: 1.1 × Pillow's limit
    with pytest.warns(Image.DecompressionBombWarning), Image.open(BytesIO(bomb)) as image:
        assert image.size == (10_000, 10_000)
    with pytest.raises(ImageTooLarge):
        sniff_upload(upload(bomb, "bomb.png", "image/png"), max_bytes=MAX)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # where warnings are errors Pillow raises the warning
        with pytest.raises(ImageTooLarge):
            sniff_upload(upload(bomb, "bomb.png", "image/png"), max_bytes=MAX)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_pixel_limit_is_pillows_own_setting(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 48 - 1)
    with pytest.raises(ImageTooLarge):
        sniff_upload(upload(image_bytes("JPEG")), max_bytes=MAX)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 48)
    assert sniff_upload(upload(image_bytes("JPEG")), max_bytes=MAX).width == 64


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    content = image_bytes("JPEG")
    with pytest.raises(ServiceError) as refused:
        sniff_upload(upload(content), max_bytes=len(content) - 1, field="photos.0")
    assert type(refused.value) is ServiceError
    assert refused.value.fields == {"photos.0": ["文件超过 0 MB。"]}


# ------------------------------------------------------------------------------- out


def _served(content: bytes, content_type: str, name: str, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.storage import default_storage

    stored = default_storage.save("files/stored.bin", ContentFile(content))
    field_file = default_storage.open(stored)
    return file_response(field_file, content_type=content_type, filename=name)


def test_an_image_is_served_inline_sandboxed_and_never_sniffed(tmp_path, settings):
    response = _served(image_bytes("PNG"), "image/png", "现场.png", tmp_path, settings)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E7%8E%B0%E5%9C%BA.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_a_pdf_is_served_as_a_download(tmp_path, settings):
    response = _served(pdf(), "application/pdf", "scan.pdf", tmp_path, settings)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    "stored_type", ["image/svg+xml", "text/html", "image/x-photo-cd", "", "image/gif"]
)
def test_a_stored_type_off_the_allowlist_is_served_as_a_download_of_bytes(
    stored_type, tmp_path, settings
):
    response = _served(SVG, stored_type, "logo.svg", tmp_path, settings)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="logo.svg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_missing_file_is_a_404(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.db.models.fields.files import FieldFile

    from lossdesk.claims.models import Attachment

    missing = FieldFile(Attachment(), Attachment._meta.get_field("file"), "cases/gone.jpg")
    with pytest.raises(Http404):
        file_response(missing, content_type="image/jpeg", filename="gone.jpg")
