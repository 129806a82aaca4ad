import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lossdesk.parts import services
from lossdesk.parts.models import (
    CatalogueImport,
    LocalPriceOverride,
    ManualQuote,
    PriceChange,
    PriceQuery,
    VehicleIdentification,
)
from lossdesk.testing import PASSWORD, photo

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=", re.IGNORECASE)


@pytest.fixture
def login():
    def client_for(user) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return client_for


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert not INLINE.search(html), f"inline script/style on {url}"
    return html


def test_every_parts_page_renders_without_inline_code(firm, catalogue, price_desk, login):
    assessor = login(firm.qianqi)
    assert "前保险杠" in page(assessor, "/parts/", q="qbxg")
    assert "途铠 2019款" in page(assessor, "/parts/vehicles/", vin="LSVUB6C10K2053790")
    page(assessor, "/parts/vehicles/", make=str(catalogue.vw.pk), series="", year="2019")
    page(assessor, f"/parts/catalogue/{catalogue.led.pk}/")
    page(assessor, "/parts/queries/")
    page(assessor, "/parts/quotes/")
    page(assessor, "/parts/quotes/new/", part_name="饰条")
    desk = login(price_desk)
    page(desk, "/parts/local-prices/", part=str(catalogue.bumper.pk))
    page(desk, "/parts/imports/")


def test_the_search_page_answers_htmx_with_the_results_only(firm, catalogue, login):
    client = login(firm.qianqi)
    response = client.get(
        "/parts/", {"q": "灯", "model": catalogue.tcross_base.pk}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "前大灯总成（卤素）" in html and "LED前大灯总成" not in html


def test_positions_without_the_catalogue_right_get_a_403(firm, catalogue, login):
    assert login(firm.zhaoliu).get("/parts/").status_code == 403
    assert login(firm.qianqi).get("/parts/imports/").status_code == 403


def test_an_assessor_builds_a_query_from_the_search_and_turns_it_into_the_sheet(
    firm, catalogue, login
):
    case = firm.assessing_case()
    client = login(firm.zhangsan)
    response = client.post(
        "/parts/queries/new/", {"part": catalogue.led.pk, "vehicle_model": catalogue.tcross_base.pk}
    )
    query = PriceQuery.objects.get()
    assert response.url == f"/parts/queries/{query.pk}/"
    client.post(f"/parts/queries/{query.pk}/", {"action": "add", "part": catalogue.fog.pk})
    html = page(client, f"/parts/queries/{query.pk}/")
    assert "低配高选" in html and "前雾灯" in html
    client.post(
        f"/parts/queries/{query.pk}/",
        {
            "action": "save",
            "line-0-price_type": "market",
            "line-0-quantity": "1",
            "line-1-price_type": "brand",
            "line-1-quantity": "2",
        },
    )
    assert [line.price_type for line in query.current_lines] == ["market", "brand"]
    client.post(f"/parts/queries/{query.pk}/", {"action": "case", "case": case.case_no})
    item = case.loss_items.get(seq=1)
    stale = client.post(
        f"/parts/queries/{query.pk}/apply/", {"loss_item": item.pk, "version": case.version - 1}
    )
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    done = client.post(
        f"/parts/queries/{query.pk}/apply/", {"loss_item": item.pk, "version": case.version}
    )
    assert done.status_code == 302
    sheet = item.sheet
    assert [line.name for line in sheet.lines.all()] == ["LED前大灯总成", "前雾灯"]
    assert sheet.lines.first().fitment_warning.startswith("低配高选")


def test_the_identify_page_records_the_model_for_a_loss_item(firm, catalogue, login):
    case = firm.assessing_case()
    item = case.loss_items.get(seq=1)
    client = login(firm.zhangsan)
    html = page(client, "/parts/vehicles/", vin="LSVUB6C10K2053790", loss_item=str(item.pk))
    assert "定型为此车型" in html
    response = client.post(
        "/parts/vehicles/identify/",
        {
            "loss_item": item.pk,
            "vehicle_model": catalogue.tcross_lux.pk,
            "method": "vin",
            "vin": "LSVUB6C10K2053790",
            "reason": "VIN",
        },
    )
    assert response.status_code == 302
    assert VehicleIdentification.objects.get(loss_item=item).vehicle_model == catalogue.tcross_lux
    assert login(firm.wangwu).get("/parts/vehicles/", {"loss_item": item.pk}).status_code == 404


def test_the_manual_quote_pages_show_the_deadline_and_run_the_flow(
    firm, catalogue, price_desk, login
):
    client = login(firm.zhangsan)
    response = client.post(
        "/parts/quotes/new/",
        {
            "part_name": "饰条",
            "vehicle_model": catalogue.tcross_base.pk,
            "quantity": "1",
            "price_type": "4s",
            "deadline_hours": "2",
            "photos": [photo()],
        },
    )
    quote = ManualQuote.objects.get()
    assert response.status_code == 302 and quote.photos.count() == 1
    assert "报价时限" in page(client, f"/parts/quotes/{quote.pk}/")
    desk = login(price_desk)
    desk.post(f"/parts/quotes/{quote.pk}/", {"action": "answer", "price": "66", "source": "4S店"})
    manager = login(firm.zhoujiu)
    html = page(manager, f"/parts/quotes/{quote.pk}/")
    assert "通过并入库为本地价" in html
    rejected = manager.post(f"/parts/quotes/{quote.pk}/", {"action": "reject", "note": ""})
    assert "驳回时请填写意见" in rejected.content.decode()
    quote.refresh_from_db()
    assert quote.status == "answered"


def test_local_prices_are_set_and_removed_on_the_page_with_an_audit_trail(firm, catalogue, login):
    client = login(firm.zhoujiu)
    client.post(
        "/parts/local-prices/",
        {
            "action": "set",
            "part": catalogue.fog.pk,
            "price_type": "4s",
            "price": "250",
            "reason": "协议价",
        },
    )
    override = LocalPriceOverride.objects.get()
    client.post(
        "/parts/local-prices/", {"action": "remove", "override": override.pk, "reason": "到期"}
    )
    assert not LocalPriceOverride.objects.exists()
    assert PriceChange.objects.count() == 2
    assert "协议价" in page(client, "/parts/local-prices/")


def test_a_malformed_upload_is_a_form_error_on_the_import_page(firm, catalogue, price_desk, login):
    client = login(price_desk)
    response = client.post(
        "/parts/imports/", {"file": SimpleUploadedFile("x.csv", "名称\n前杠\n".encode("utf-16"))}
    )
    assert response.status_code == 200
    assert "UTF-16" in response.content.decode()
    assert not CatalogueImport.objects.exists()


def test_an_upload_lands_on_its_preview_with_the_row_errors(
    firm, catalogue, price_desk, login, django_capture_on_commit_callbacks
):
    client = login(price_desk)
    text = (
        "oe_number,name,make,category,price_4s,price_market\n"
        "2GM 1,前杠,大众,body,10,9\n"
        "X,前杠,无此品牌,body,10,9\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/parts/imports/", {"file": SimpleUploadedFile("c.csv", text.encode())}
        )
    imp = CatalogueImport.objects.get()
    assert response.url == f"/parts/imports/{imp.pk}/"
    html = page(client, response.url)
    assert "导入 1 条有效行" in html and "无此品牌" in html
    partial = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-status"' in partial and "<html" not in partial


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_import_templates_download(firm, price_desk, login, fmt):
    response = login(price_desk).get(f"/parts/imports/template.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_another_branch_gets_404_for_queries_and_quotes(firm, catalogue, login):
    query = services.do_save_price_query(
        {"lines": [{"part": catalogue.fog.pk}]}, actor=firm.zhangsan
    )
    quote = services.do_request_manual_quote(
        {"part_name": "饰条", "vehicle_description": "途铠"}, actor=firm.zhangsan
    )
    other = login(firm.wangwu)
    assert other.get(f"/parts/queries/{query.pk}/").status_code == 404
    assert other.get(f"/parts/quotes/{quote.pk}/").status_code == 404
