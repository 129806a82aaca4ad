"""User files in and out: every upload is sniffed here, every user file is served from here.

In: the content decides, never the name or the client's content type. Only an allowlist is
accepted (JPEG, PNG, WebP and HEIC/HEIF photos; those and PDF for documents), and Pillow is
told which formats to try: left to itself it tries every plugin it has, and a file with
`PCD_` at byte 2048 passes as a PhotoCD image whatever else it holds (an SVG, a page
with a script). Images with more pixels than `Image.MAX_IMAGE_PIXELS` are refused before
anything decodes them.

Out: the stored (sniffed) type is checked against the same allowlist again, so a file stored
before the allowlist existed goes out as a download of bytes, never as a page."""

from dataclasses import dataclass

import pillow_heif
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from PIL import Image

from lossdesk.core.errors import ErrorCode, ImageTooLarge, ServiceError, UnsupportedFileType

# Once per process: HEIC is what iPhones shoot.
pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str  # the stored file's suffix, from the content, never from the upload's name


# Pillow format name → what we store. Everything Pillow knows beyond these is refused.
IMAGE_KINDS = {
    "JPEG": FileKind("image/jpeg", ".jpg"),
    "PNG": FileKind("image/png", ".png"),
    "WEBP": FileKind("image/webp", ".webp"),
    "HEIF": FileKind("image/heif", ".heic"),
}
# Pillow's JPEG reader names a JPEG carrying more pictures (many phones' photos) "MPO".
OPENED_AS = {"MPO": "JPEG"}
PDF = FileKind("application/pdf", ".pdf")
IMAGE_TYPES = frozenset(kind.content_type for kind in IMAGE_KINDS.values())
SERVABLE_TYPES = IMAGE_TYPES | {PDF.content_type}

PHOTO_TYPES_TEXT = "JPEG、PNG、WebP 或 HEIC 图片"
DOCUMENT_TYPES_TEXT = "JPEG、PNG、WebP、HEIC 图片或 PDF 文件"


@dataclass(frozen=True)
class SniffedUpload:
    content: bytes
    kind: FileKind
    width: int | None = None
    height: int | None = None

    @property
    def content_type(self) -> str:
        return self.kind.content_type

    def as_file(self, stem: str = "upload") -> ContentFile:
        """The bytes under a name whose suffix matches the content."""
        return ContentFile(self.content, name=f"{stem}{self.kind.extension}")


def sniff_upload(
    upload, *, max_bytes: int, allow_pdf: bool = False, field: str = "file"
) -> SniffedUpload:
    """Read an uploaded file and say what it really is, or refuse it with the message on
    `field`: ServiceError (too many bytes), UnsupportedFileType, ImageTooLarge."""
    if upload.size > max_bytes:
        message = f"文件超过 {max_bytes // (1024 * 1024)} MB。"
        raise ServiceError(message, code=ErrorCode.FILE_TOO_LARGE, fields={field: [message]})
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if allow_pdf and content.startswith(b"%PDF-"):
        return SniffedUpload(content, PDF)
    image = _open_image(content, field)
    if image is None:
        accepted = DOCUMENT_TYPES_TEXT if allow_pdf else PHOTO_TYPES_TEXT
        message = f"不支持该文件类型，只接受 {accepted}。"
        raise UnsupportedFileType(message, fields={field: [message]})
    return image


def _open_image(content: bytes, field: str) -> SniffedUpload | None:
    too_large = f"图片像素过多（上限 {Image.MAX_IMAGE_PIXELS // 10_000} 万像素），请缩小后再上传。"
    try:
        with Image.open(ContentFile(content), formats=tuple(IMAGE_KINDS)) as image:
            width, height = image.size
            # Between 1× and 2× the limit Pillow only warns (an exception only where warnings
            # are errors); this check refuses the whole band whatever the warning filters.
            if width * height > Image.MAX_IMAGE_PIXELS:
                raise ImageTooLarge(too_large, fields={field: [too_large]})
            image.verify()
            kind = IMAGE_KINDS[OPENED_AS.get(image.format, image.format)]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge(too_large, fields={field: [too_large]}) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        return None  # not one of the allowed formats, or a broken one
    return SniffedUpload(content, kind, width, height)


def file_response(
    field_file, *, content_type: str, filename: str, cache: str = "private, max-age=3600"
) -> FileResponse:
    """Serve a user's file so that no browser runs it: an allowlisted type or bytes, never
    sniffed, sandboxed, and only images inline (a PDF or anything else downloads)."""
    if content_type not in SERVABLE_TYPES:
        content_type = "application/octet-stream"
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("文件不存在。") from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in IMAGE_TYPES,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Set here, the CSP middleware leaves it alone: the file is an opaque, script-less origin.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = cache
    return response
