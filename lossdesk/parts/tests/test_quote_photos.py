"""Manual-quote photos: sniffed like case attachments, refused with the same error codes,
served through a scoped view with the same safe headers (never from /media/)."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from lossdesk.core.tests.test_uploads import (
    SVG,
    heic,
    image_bytes,
    photocd_polyglot,
    png_declaring,
    upload,
)
from lossdesk.parts.models import ManualQuote, ManualQuotePhoto
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db

PHOTO_TYPES = "不支持该文件类型，只接受 JPEG、PNG、WebP 或 HEIC 图片。"
TOO_LARGE = "图片像素过多（上限 8947 万像素），请缩小后再上传。"


@pytest.fixture
def login():
    def client_for(user) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return client_for


def quote_data(catalogue, **extra) -> dict:
    return {"part_name": "后视镜镜片（左）", "vehicle_model": catalogue.tcross_base.pk, **extra}


def assert_safe_inline(served, content_type: str, name: str) -> None:
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"] == f'inline; filename="{name}"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (photocd_polyglot(), "unsupported_file_type", PHOTO_TYPES),
        (SVG, "unsupported_file_type", PHOTO_TYPES),
        (png_declaring(20_000, 20_000), "image_too_large", TOO_LARGE),
        (png_declaring(10_000, 10_000), "image_too_large", TOO_LARGE),
    ],
    ids=["photocd", "svg", "bomb-pillow-error", "bomb-pillow-warning"],
)
def test_a_hostile_photo_is_a_400_with_its_code_and_no_quote(
    firm, catalogue, api, content, code, message
):
    response = api(firm.zhangsan).post(
        "/api/v1/manual-quotes",
        quote_data(catalogue, photos=[upload(image_bytes("JPEG")), upload(content, "b.jpg")]),
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": code, "message": message, "fields": {"photos.1": [message]}}
    }
    assert not ManualQuote.objects.exists()


def test_a_refused_photo_keeps_its_code_beside_the_other_fields_messages(firm, catalogue, api):
    response = api(firm.zhangsan).post(
        "/api/v1/manual-quotes",
        {"part_name": "饰条", "photos": [upload(SVG, "a.svg", "image/svg+xml")]},
        format="multipart",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unsupported_file_type"
    assert set(error["fields"]) == {"photos.0", "vehicle_description"}


def test_the_api_lists_scoped_photo_addresses_that_serve_the_photo_safely(firm, catalogue, api):
    created = api(firm.zhangsan).post(
        "/api/v1/manual-quotes",
        quote_data(catalogue, photos=[upload(image_bytes("JPEG"), "镜片.jpg"), upload(heic())]),
        format="multipart",
    )
    assert created.status_code == 201
    quote = ManualQuote.objects.get()
    jpeg, heif = quote.photos.all()
    assert (jpeg.content_type, heif.content_type) == ("image/jpeg", "image/heif")
    base = f"http://testserver/api/v1/manual-quotes/{quote.pk}/photos"
    assert created.json()["photos"] == [f"{base}/{jpeg.pk}", f"{base}/{heif.pk}"]
    served = api(firm.zhangsan).get(created.json()["photos"][0])
    assert served["Content-Disposition"] == "inline; filename*=utf-8''%E9%95%9C%E7%89%87.jpg"
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    # another branch's surveyor gets the JSON 404, as for the quote itself
    other = api(firm.wangwu).get(created.json()["photos"][0])
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_the_quote_page_shows_its_photos_through_the_scoped_view(firm, catalogue, api, login):
    api(firm.zhangsan).post(
        "/api/v1/manual-quotes",
        quote_data(catalogue, photos=[upload(image_bytes("PNG"), "mirror.png")]),
        format="multipart",
    )
    quote = ManualQuote.objects.get()
    photo = quote.photos.get()
    address = f"/parts/quotes/{quote.pk}/photos/{photo.pk}/"
    client = login(firm.zhangsan)
    html = client.get(f"/parts/quotes/{quote.pk}/").content.decode()
    assert f'<img src="{address}"' in html
    assert "/media/" not in html
    assert_safe_inline(client.get(address), "image/png", "mirror.png")
    assert login(firm.wangwu).get(address).status_code == 404


def test_a_photo_is_only_served_through_its_own_quote(firm, catalogue, api, login):
    for _ in range(2):
        api(firm.zhangsan).post(
            "/api/v1/manual-quotes",
            quote_data(catalogue, photos=[upload(image_bytes("JPEG"))]),
            format="multipart",
        )
    first, second = ManualQuote.objects.order_by("pk")
    foreign = second.photos.get()
    client = login(firm.zhangsan)
    assert client.get(f"/parts/quotes/{first.pk}/photos/{foreign.pk}/").status_code == 404
    assert client.get(f"/parts/quotes/{second.pk}/photos/{foreign.pk}/").status_code == 200
    assert (
        api(firm.zhangsan).get(f"/api/v1/manual-quotes/{first.pk}/photos/{foreign.pk}").status_code
        == 404
    )


def test_a_photo_stored_before_sniffing_is_served_as_bytes_to_download(firm, catalogue, api, login):
    api(firm.zhangsan).post("/api/v1/manual-quotes", quote_data(catalogue), format="multipart")
    quote = ManualQuote.objects.get()
    legacy = ManualQuotePhoto.objects.create(
        quote=quote, file=ContentFile(SVG, name="x.svg"), original_name="x.svg"
    )
    for served in (
        login(firm.zhangsan).get(f"/parts/quotes/{quote.pk}/photos/{legacy.pk}/"),
        api(firm.zhangsan).get(f"/api/v1/manual-quotes/{quote.pk}/photos/{legacy.pk}"),
    ):
        assert served.status_code == 200
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"] == 'attachment; filename="x.svg"'
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    ("content", "message"),
    [(SVG, PHOTO_TYPES), (png_declaring(20_000, 20_000), TOO_LARGE)],
    ids=["svg", "bomb"],
)
def test_the_quote_form_answers_400_with_the_message_on_the_photo_field(
    firm, catalogue, login, content, message
):
    response = login(firm.zhangsan).post(
        "/parts/quotes/new/",
        {
            **quote_data(catalogue),
            "quantity": "1",
            "price_type": "4s",
            "deadline_hours": "4",
            "photos": [upload(image_bytes("JPEG"), "a.jpg"), upload(content, "现场.jpg")],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["photos"] == [f"现场.jpg：{message}"]
    assert not ManualQuote.objects.exists()


def test_the_success_message_shows_the_deadline_in_local_time(firm, catalogue, login):
    client = login(firm.zhangsan)
    response = client.post(
        "/parts/quotes/new/",
        {**quote_data(catalogue), "quantity": "1", "price_type": "4s", "deadline_hours": "4"},
    )
    assert response.status_code == 302
    quote = ManualQuote.objects.get()
    local = timezone.localtime(quote.deadline)
    assert local.utcoffset().total_seconds() == 8 * 3600  # Asia/Shanghai
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"已发起人工报价 {quote.quote_no}，报价时限 {local:%m-%d %H:%M}。"
    ]
