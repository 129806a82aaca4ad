"""Case attachments: a hostile upload is refused with its own error code on the API and on
the upload page, and whatever is stored is served so that no browser runs it."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from lossdesk.claims.choices import AttachmentKind, DocumentType
from lossdesk.claims.models import Attachment, Case
from lossdesk.core.tests.test_uploads import (
    HTML,
    SVG,
    heic,
    image_bytes,
    pdf,
    photocd_polyglot,
    png_declaring,
    upload,
)
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db

PHOTO = {"kind": AttachmentKind.PHOTO, "doc_type": DocumentType.DAMAGE_PHOTO}
DOCUMENT = {"kind": AttachmentKind.DOCUMENT, "doc_type": DocumentType.DRIVING_LICENCE}
PHOTO_TYPES = "不支持该文件类型，只接受 JPEG、PNG、WebP 或 HEIC 图片。"
DOCUMENT_TYPES = "不支持该文件类型，只接受 JPEG、PNG、WebP、HEIC 图片或 PDF 文件。"
TOO_LARGE = "图片像素过多（上限 8947 万像素），请缩小后再上传。"


def post_file(user, case: Case, file, kind: dict):
    return client_for(user).post(
        f"{API}/cases/{case.case_no}/attachments", {"file": file, **kind}, format="multipart"
    )


def downloaded(user, attachment: Attachment):
    return client_for(user).get(
        f"{API}/cases/{attachment.case.case_no}/attachments/{attachment.pk}/file"
    )


@pytest.mark.parametrize(
    ("file", "kind", "message"),
    [
        (upload(photocd_polyglot(), "damage.jpg", "image/jpeg"), PHOTO, PHOTO_TYPES),
        (upload(photocd_polyglot(), "licence.svg", "image/svg+xml"), DOCUMENT, DOCUMENT_TYPES),
        (upload(SVG, "damage.svg", "image/svg+xml"), PHOTO, PHOTO_TYPES),
        (upload(SVG, "licence.svg", "image/svg+xml"), DOCUMENT, DOCUMENT_TYPES),
        (upload(HTML, "damage.jpg", "image/jpeg"), PHOTO, PHOTO_TYPES),
        (upload(pdf(), "damage.pdf", "application/pdf"), PHOTO, PHOTO_TYPES),
    ],
    ids=["photocd-photo", "photocd-document", "svg-photo", "svg-document", "html-jpg", "pdf-photo"],
)
def test_a_file_off_the_allowlist_is_a_400_unsupported_file_type_and_stores_nothing(
    firm, file, kind, message
):
    case = firm.surveying_case()
    response = post_file(firm.zhangsan, case, file, kind)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unsupported_file_type"
    assert error["message"] == message
    assert error["fields"] == {"file": [message]}
    assert not Attachment.objects.exists()
    assert Case.objects.get(pk=case.pk).version == case.version


@pytest.mark.parametrize("side", [20_000, 10_000], ids=["pillow-error", "pillow-warning"])
def test_a_decompression_bomb_is_a_400_image_too_large_not_a_500(firm, side):
    case = firm.surveying_case()
    bomb = upload(png_declaring(side, side), "bomb.png", "image/png")
    response = post_file(firm.zhangsan, case, bomb, PHOTO)
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "image_too_large",
        "message": TOO_LARGE,
        "fields": {"file": [TOO_LARGE]},
    }
    assert not Attachment.objects.exists()


def test_a_heic_photo_is_stored_as_heif_and_served_inline_and_sandboxed(firm):
    case = firm.surveying_case()
    response = post_file(firm.zhangsan, case, upload(heic(), "IMG_0001.HEIC", ""), PHOTO)
    assert response.status_code == 201
    body = response.json()
    assert (body["content_type"], body["width"], body["height"]) == ("image/heif", 64, 48)
    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(".heic")
    served = downloaded(firm.zhangsan, attachment)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/heif"
    assert served["Content-Disposition"] == 'inline; filename="IMG_0001.HEIC"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"


def test_a_pdf_document_is_stored_under_its_sniffed_type_and_served_as_a_download(firm):
    case = firm.surveying_case()
    # The client's name and type lie; the content decides.
    response = post_file(firm.zhangsan, case, upload(pdf(), "licence.png", "image/png"), DOCUMENT)
    assert response.status_code == 201
    assert response.json()["content_type"] == "application/pdf"
    served = downloaded(firm.zhangsan, Attachment.objects.get())
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == 'attachment; filename="licence.png"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("stored_type", ["image/svg+xml", "text/html", "image/x-photo-cd"])
def test_an_attachment_stored_earlier_with_a_bad_type_is_served_as_bytes_to_download(
    client, firm, stored_type
):
    """Rows written before the allowlist kept the client's type: serving must not trust it."""
    case = firm.surveying_case()
    legacy = Attachment(
        case=case,
        content_type=stored_type,
        original_name="logo.svg",
        size=len(SVG),
        sha256="0" * 64,
        uploaded_by=firm.zhangsan,
        **PHOTO,
    )
    legacy.file.save("logo.svg", ContentFile(SVG))
    client.force_login(firm.zhangsan)
    page = client.get(
        reverse("claims:attachment", kwargs={"case_no": case.case_no, "pk": legacy.pk})
    )
    for served in (page, downloaded(firm.zhangsan, legacy)):
        assert served.status_code == 200
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"] == 'attachment; filename="logo.svg"'
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Security-Policy"] == "sandbox"


def test_a_photo_is_served_inline_with_the_safe_headers_by_the_page_and_the_api(client, firm):
    case = firm.assessing_case()
    attachment = case.attachments.get()
    client.force_login(firm.zhangsan)
    page = client.get(
        reverse("claims:attachment", kwargs={"case_no": case.case_no, "pk": attachment.pk})
    )
    for served in (page, downloaded(firm.zhangsan, attachment)):
        assert served.status_code == 200
        assert served["Content-Type"] == "image/jpeg"
        assert served["Content-Disposition"] == 'inline; filename="damage.jpg"'
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (SVG, "现场.svg", PHOTO_TYPES),
        (photocd_polyglot(), "现场.jpg", PHOTO_TYPES),
        (png_declaring(20_000, 20_000), "现场.png", TOO_LARGE),
    ],
    ids=["svg", "photocd", "bomb"],
)
def test_the_upload_page_answers_400_with_the_message_on_the_file_field(
    client, firm, content, name, message
):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)
    response = client.post(
        reverse("claims:case-upload", kwargs={"case_no": case.case_no}),
        {
            "version": case.version,
            "files": [upload(image_bytes("JPEG"), "a.jpg"), upload(content, name)],
            **PHOTO,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [f"{name}：{message}"]
    assert not Attachment.objects.exists()
