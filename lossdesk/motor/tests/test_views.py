"""The assessment-sheet editor (定损单) in the web UI: scope, saving through the service,
errors on the right cell, conflicts, read-only states and query counts."""

import re
import shutil
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lossdesk.claims.choices import EventType
from lossdesk.core.errors import IllegalTransition, ServiceError
from lossdesk.motor.forms import LINE_FIELDS
from lossdesk.motor.models import AssessmentSheet
from lossdesk.org.models import RepairShop
from lossdesk.testing import LINES, LINES_TOTAL, PASSWORD, add_damage_photo, tag

pytestmark = pytest.mark.django_db

THREE_LINES = [
    {
        "kind": "replace",
        "name": "前大灯总成",
        "part_no": "5G0941005",
        "quantity": "2",
        "unit_price": "640.50",
        "salvage_value": "80",
    },
    {"kind": "paint", "name": "前叶子板喷漆", "quantity": "", "unit_price": "450"},
    {"kind": "labour", "name": "钣金工时", "quantity": "2.5", "unit_price": "33.33"},
]
# 2 × 640.50 = 1281.00; 1 × 450 = 450.00; 2.5 × 33.33 = 83.325 → 83.33 (half-up)
THREE_LINES_GROSS = Decimal("1814.33")
THREE_LINES_TOTAL = THREE_LINES_GROSS - Decimal("80.00")


def sheet_url(case, seq: int = 1) -> str:
    return reverse("motor:sheet-edit", args=[case.case_no, seq])


def sheet_version(case, seq: int = 1) -> int:
    """The version of the item's sheet as the page would carry it (0: no sheet yet)."""
    sheet = AssessmentSheet.objects.filter(loss_item__case=case, loss_item__seq=seq).first()
    return sheet.version if sheet else 0


def form_data(case, lines, *, blank_rows: int = 2, version=None, **header) -> dict:
    rows = [*lines, *([{}] * blank_rows)]
    data = {
        "sheet_version": sheet_version(case) if version is None else version,
        "repair_shop": "",
        "vehicle_model": "大众朗逸 2019款 1.5L",
        "remarks": "",
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "300",
        **header,
    }
    for i, row in enumerate(rows):
        for name in LINE_FIELDS:
            data[f"lines-{i}-{name}"] = row.get(name, "")
    return data


def cell_error(html: str, name: str) -> str:
    """The error text shown right after the field `name` (empty when there is none)."""
    start = html.index(tag(html, name))
    cell = html[start : html.index("</td>", start)]
    feedback = re.search(r'<div class="invalid-feedback[^"]*"[^>]*>(.*)</div>', cell, re.S)
    return re.sub(r"<[^>]+>", " ", feedback.group(1)).strip() if feedback else ""


def test_the_sheet_page_renders_for_the_surveyor_of_the_case(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    response = client.get(sheet_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.case_no in html
    assert "本车 浙A12345" in html
    assert firm.repair_shop.name in html  # the repair shops of the case's branch
    assert tag(html, "lines-0-kind")  # an editable row
    assert 'name="sheet_version" value="0"' in html  # no sheet yet
    assert 'src="/static/js/sheet.js"' in html
    assert 'id="sheet-line-template"' in html  # the row JS clones


def test_a_saved_sheet_is_shown_with_its_lines_and_totals(client, firm):
    case = firm.assessed_case()
    sheet = case.loss_items.get(seq=1).sheet
    client.force_login(firm.zhangsan)
    html = client.get(sheet_url(case)).content.decode()
    assert sheet.sheet_no in html
    assert 'value="前保险杠皮"' in html
    assert "2,215.50" in html  # LINES_TOTAL, grouped as the case page shows money
    assert f'<option value="{firm.repair_shop.pk}" selected>' in html


def test_repair_shops_of_other_branches_are_not_offered(client, firm):
    RepairShop.objects.create(name="宁波丰田4S店", kind="4s", branch=firm.ningbo)
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    html = client.get(sheet_url(case)).content.decode()
    assert firm.repair_shop.name in html
    assert "宁波丰田4S店" not in html


def test_a_surveyor_of_another_branch_gets_404_and_saves_nothing(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.wangwu)
    assert client.get(sheet_url(case)).status_code == 404
    assert client.post(sheet_url(case), form_data(case, THREE_LINES)).status_code == 404
    assert not AssessmentSheet.objects.exists()


def test_a_loss_item_that_is_not_a_vehicle_is_404(client, firm):
    case = firm.assessing_case(property_loss=True)
    assert case.loss_items.get(seq=3).kind == "property"
    client.force_login(firm.zhangsan)
    assert client.get(sheet_url(case, seq=3)).status_code == 404
    assert client.post(sheet_url(case, seq=3), form_data(case, LINES)).status_code == 404
    assert client.get(sheet_url(case, seq=99)).status_code == 404


def test_the_page_needs_a_login(client, firm):
    case = firm.assessing_case()
    response = client.get(sheet_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_saving_three_lines_stores_them_with_their_totals_and_the_case_amount(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    data = form_data(case, THREE_LINES, repair_shop=str(firm.repair_shop.pk))
    response = client.post(sheet_url(case), data)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.case_no}/"
    sheet = AssessmentSheet.objects.get(loss_item__case=case, loss_item__seq=1)
    lines = list(sheet.lines.values_list("seq", "kind", "name", "quantity", "amount"))
    assert lines == [
        (1, "replace", "前大灯总成", Decimal("2.00"), Decimal("1281.00")),
        (2, "paint", "前叶子板喷漆", Decimal("1.00"), Decimal("450.00")),  # blank → 1
        (3, "labour", "钣金工时", Decimal("2.50"), Decimal("83.33")),
    ]
    assert (sheet.parts_total, sheet.paint_total, sheet.labour_total) == (
        Decimal("1281.00"),
        Decimal("450.00"),
        Decimal("83.33"),
    )
    assert sheet.repair_total == sheet.materials_total == sheet.sublet_total == Decimal("0")
    assert sheet.salvage_total == Decimal("80.00")
    assert sheet.total == THREE_LINES_TOTAL == Decimal("1734.33")
    assert sheet.repair_shop == firm.repair_shop
    assert sheet.vehicle_model == "大众朗逸 2019款 1.5L"
    assert sheet.assessor == firm.zhangsan
    case.refresh_from_db()
    assert case.assessed_amount == THREE_LINES_TOTAL
    assert case.events.filter(type=EventType.SHEET_SAVED).count() == 1


def test_lines_marked_for_deletion_are_not_saved(client, firm):
    case = firm.assessed_case()
    client.force_login(firm.zhangsan)
    data = form_data(case, THREE_LINES)
    data["lines-0-DELETE"] = "on"
    assert client.post(sheet_url(case), data).status_code == 302
    sheet = case.loss_items.get(seq=1).sheet
    assert list(sheet.lines.values_list("name", flat=True)) == ["前叶子板喷漆", "钣金工时"]
    assert sheet.total == Decimal("533.33")


def test_bad_input_is_shown_on_its_cell_and_nothing_is_saved(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    rows = [
        THREE_LINES[0],
        {"kind": "repair", "name": "后视镜修复", "quantity": "1", "unit_price": "-5"},
        {},  # a blank row in between: the rows after it must still get their own errors
        {"kind": "teleport", "name": "未知类别", "quantity": "1", "unit_price": "10"},
        {
            "kind": "paint",
            "name": "车门喷漆",
            "quantity": "1",
            "unit_price": "300",
            "salvage_value": "20",
        },
        {"kind": "labour", "name": "拆装", "quantity": "两个", "unit_price": "80"},
    ]
    response = client.post(sheet_url(case), form_data(case, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "定损单有误" in html
    assert "不能小于 0" in cell_error(html, "lines-1-unit_price")
    assert "类别无效" in cell_error(html, "lines-3-kind")
    assert "只有换件项目有残值" in cell_error(html, "lines-4-salvage_value")
    assert "请输入数字" in cell_error(html, "lines-5-quantity")
    assert "is-invalid" in tag(html, "lines-5-quantity")
    for good in ("lines-0-unit_price", "lines-0-kind", "lines-4-unit_price", "lines-5-name"):
        assert cell_error(html, good) == ""
        assert "is-invalid" not in tag(html, good)
    # Everything typed is still there.
    assert 'value="-5"' in tag(html, "lines-1-unit_price")
    assert 'value="两个"' in tag(html, "lines-5-quantity")
    assert 'value="20"' in tag(html, "lines-4-salvage_value")
    assert 'value="前大灯总成"' in tag(html, "lines-0-name")
    assert not AssessmentSheet.objects.exists()
    version = case.version
    case.refresh_from_db()
    assert case.version == version


def test_bad_input_leaves_the_previous_sheet_unchanged(client, firm):
    case = firm.assessed_case()
    sheet = case.loss_items.get(seq=1).sheet
    before = list(sheet.lines.values_list("name", "amount"))
    client.force_login(firm.zhangsan)
    rows = [{"kind": "replace", "name": "", "quantity": "1", "unit_price": "abc"}]
    response = client.post(sheet_url(case), form_data(case, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写项目名称" in cell_error(html, "lines-0-name")
    assert "请输入数字" in cell_error(html, "lines-0-unit_price")
    sheet.refresh_from_db()
    assert sheet.total == LINES_TOTAL
    assert list(sheet.lines.values_list("name", "amount")) == before


def test_salvage_above_the_line_amount_is_shown_on_the_salvage_cell(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    rows = [
        {
            "kind": "replace",
            "name": "雾灯",
            "quantity": "1",
            "unit_price": "100",
            "salvage_value": "150",
        }
    ]
    html = client.post(sheet_url(case), form_data(case, rows)).content.decode()
    assert "残值不能大于该项目金额" in cell_error(html, "lines-0-salvage_value")
    assert not AssessmentSheet.objects.exists()


def test_a_sheet_without_lines_is_refused_with_a_message_at_the_top(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    response = client.post(sheet_url(case), form_data(case, [], blank_rows=3))
    assert response.status_code == 400
    assert "定损单至少需要一个项目" in response.content.decode()
    assert not AssessmentSheet.objects.exists()


def test_a_repair_shop_of_another_branch_is_refused_on_its_field(client, firm):
    shop = RepairShop.objects.create(name="宁波丰田4S店", kind="4s", branch=firm.ningbo)
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    response = client.post(sheet_url(case), form_data(case, LINES, repair_shop=str(shop.pk)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "is-invalid" in tag(html, "repair_shop")
    assert 'value="前保险杠皮"' in html
    assert not AssessmentSheet.objects.exists()


def test_a_tampered_form_is_a_form_error_not_a_server_error(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    data = form_data(case, LINES)
    del data["lines-TOTAL_FORMS"]
    data["sheet_version"] = "abc"
    response = client.post(sheet_url(case), data)
    assert response.status_code == 400
    assert "版本号无效" in response.content.decode()
    assert not AssessmentSheet.objects.exists()


def test_a_sheet_saved_meanwhile_is_a_conflict_naming_the_state_and_saves_nothing(client, firm):
    case = firm.assessing_case()
    seen = sheet_version(case)
    client.force_login(firm.zhangsan)
    # 钱七 saves the sheet while 张三 still has the page open.
    from lossdesk.motor.services import do_save_assessment_sheet

    do_save_assessment_sheet(case.loss_items.get(seq=1), lines=LINES, actor=firm.qianqi)
    case.refresh_from_db()
    response = client.post(sheet_url(case), form_data(case, THREE_LINES, version=seen))
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人修改" in html
    assert "定损中" in html  # the state the case is in now
    assert 'value="前大灯总成"' in html  # input kept
    assert "由 钱七 编制，合计 2,215.50 元" in html  # what the save would replace
    sheet = case.loss_items.get(seq=1).sheet
    assert sheet.total == LINES_TOTAL
    assert sheet.assessor == firm.qianqi
    # The page now carries the sheet's current version: saving again, knowingly, goes through.
    assert f'name="sheet_version" value="{sheet.version}"' in html
    response = client.post(sheet_url(case), form_data(case, THREE_LINES, version=sheet.version))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.total == THREE_LINES_TOTAL
    assert sheet.version == 2


def test_a_change_elsewhere_in_the_case_does_not_refuse_the_save(client, firm):
    case = firm.assessed_case()
    client.force_login(firm.zhangsan)
    html = client.get(sheet_url(case)).content.decode()
    seen = sheet_version(case)
    assert f'name="sheet_version" value="{seen}"' in html
    # A photo arrives while the page is open: the case version moves, the sheet does not.
    add_damage_photo(case, actor=firm.zhangsan)
    response = client.post(sheet_url(case), form_data(case, THREE_LINES, version=seen))
    assert response.status_code == 302
    sheet = case.loss_items.get(seq=1).sheet
    assert sheet.total == THREE_LINES_TOTAL
    assert sheet.version == seen + 1


def test_a_page_posting_only_the_case_version_is_checked_against_the_case(client, firm):
    # An editor page drawn before sheets had their own version.
    case = firm.assessed_case()
    stale = case.version
    add_damage_photo(case, actor=firm.zhangsan)
    client.force_login(firm.zhangsan)
    data = form_data(case, THREE_LINES)
    del data["sheet_version"]
    response = client.post(sheet_url(case), {**data, "version": stale})
    assert response.status_code == 409
    html = response.content.decode()
    assert "案件已被他人修改" in html
    assert f'name="sheet_version" value="{sheet_version(case)}"' in html
    case.refresh_from_db()
    assert client.post(sheet_url(case), {**data, "version": case.version}).status_code == 302


def test_a_page_without_any_version_is_a_form_error(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    data = form_data(case, LINES)
    del data["sheet_version"]
    response = client.post(sheet_url(case), data)
    assert response.status_code == 400
    assert "页面缺少版本号" in response.content.decode()
    assert not AssessmentSheet.objects.exists()


def test_the_sheet_is_read_only_while_the_case_is_in_review(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.zhangsan)
    response = client.get(sheet_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "待审核" in html and "不能修改" in html
    assert 'name="lines-0-kind"' not in html
    assert '<form method="post" novalidate' not in html
    assert "前保险杠皮" in html and "2,215.50" in html

    response = client.post(sheet_url(case), form_data(case, THREE_LINES))
    assert response.status_code == 409
    assert "未保存" in response.content.decode()
    sheet = case.loss_items.get(seq=1).sheet
    assert sheet.total == LINES_TOTAL
    version = case.version
    case.refresh_from_db()
    assert case.version == version


def test_a_reviewer_without_the_assess_permission_sees_the_sheet_read_only(client, firm):
    case = firm.assessed_case()
    client.force_login(firm.lisi)
    html = client.get(sheet_url(case)).content.decode()
    assert "没有「定损」权限" in html
    assert 'name="lines-0-kind"' not in html
    response = client.post(sheet_url(case), form_data(case, THREE_LINES))
    assert response.status_code == 403
    assert case.loss_items.get(seq=1).sheet.total == LINES_TOTAL


def test_add_rows_without_js_shows_more_blank_rows_and_keeps_the_input(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    data = form_data(case, THREE_LINES[:2], blank_rows=0, add_rows="1")
    response = client.post(sheet_url(case), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="7"' in html
    assert tag(html, "lines-6-name")
    assert 'value="前叶子板喷漆"' in tag(html, "lines-1-name")
    assert "1,281.00" in html  # the amounts are shown without JS too
    assert not AssessmentSheet.objects.exists()


def test_the_page_shows_the_amounts_and_totals_it_computed(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    data = form_data(case, THREE_LINES, add_rows="1")
    html = client.post(sheet_url(case), data).content.decode()
    assert re.search(r"data-amount>\s*83\.33\s*<", html)
    assert re.search(r'data-total="total">\s*1,734\.33\s*<', html)
    assert re.search(r'data-total="salvage">\s*80\.00\s*<', html)
    assert re.search(r'data-total="replace">\s*1,281\.00\s*<', html)


def many_lines(count: int) -> list[dict]:
    kinds = ("replace", "repair", "paint", "labour", "materials", "sublet")
    return [
        {"kind": kinds[i % 6], "name": f"项目{i}", "quantity": "1", "unit_price": f"{i + 1}"}
        for i in range(count)
    ]


def test_the_sheet_page_runs_a_bounded_number_of_queries(
    client, firm, django_assert_max_num_queries
):
    small = firm.assessed_case(lines=many_lines(5), client_claim_no="SMALL")
    large = firm.assessed_case(lines=many_lines(30), client_claim_no="LARGE")
    client.force_login(firm.zhangsan)
    client.get(sheet_url(small))  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(sheet_url(small)).status_code == 200
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = client.get(sheet_url(large))
    assert response.status_code == 200
    assert "项目29" in response.content.decode()
    assert len(many) == len(few)  # no query per line


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs a Chromium binary")
def test_the_browser_recomputes_amounts_in_fen_and_adds_rows_client_side(live_server, firm):
    from playwright.sync_api import sync_playwright

    case = firm.assessed_case()
    url = live_server.url + sheet_url(case)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text))  # CSP reports too
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", "zhangsan")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(url)
        assert page.text_content('[data-total="total"]') == "2,215.50"
        # 2.5 × 33.33 = 83.325 → 83.33, exactly as the server rounds it.
        page.select_option("[name=lines-5-kind]", "labour")
        page.fill("[name=lines-5-name]", "钣金工时")
        page.fill("[name=lines-5-quantity]", "2.5")
        page.fill("[name=lines-5-unit_price]", "33.33")
        assert page.text_content("tr[data-line]:nth-child(6) [data-amount]") == "83.33"
        assert page.text_content('[data-total="labour"]') == "283.33"
        assert page.text_content('[data-total="total"]') == "2,298.83"
        rows = page.locator("tr[data-line]").count()
        page.click("[data-add-row]")  # no round trip: one more row, management form updated
        assert page.locator("tr[data-line]").count() == rows + 1
        assert page.input_value("[name=lines-TOTAL_FORMS]") == str(rows + 1)
        page.select_option(f"[name=lines-{rows}-kind]", "replace")
        page.fill(f"[name=lines-{rows}-name]", "雾灯")
        page.fill(f"[name=lines-{rows}-unit_price]", "0.10")
        page.fill(f"[name=lines-{rows}-quantity]", "0.05")  # 0.005 → 0.01
        assert page.text_content('[data-total="replace"]') == "1,280.01"
        page.check("[name=lines-0-DELETE]")  # 1280 − 50 salvage leave the totals
        assert page.text_content('[data-total="total"]') == "1,068.84"
        page.click("button[name=save]")
        page.wait_for_url(f"**/cases/{case.case_no}/")
        browser.close()
    assert problems == []
    sheet = AssessmentSheet.objects.get(loss_item__case=case, loss_item__seq=1)
    assert sheet.total == Decimal("1068.84")
    assert sheet.lines.count() == 6


def test_service_errors_reach_the_row_the_header_or_the_top_of_the_page(client, firm, monkeypatch):
    def refuse(*args, **kwargs):
        raise ServiceError(
            "定损单有误，请检查标出的项目。",
            fields={
                "lines.1.name": ["名称过于笼统。"],
                "lines.2.part": ["该配件不适配本车型。"],  # a field the editor does not show
                "repair_shop": ["该修理厂已停用。"],
                "vehicle": ["请先完成车辆定型。"],
            },
        )

    monkeypatch.setattr("lossdesk.motor.views.do_save_assessment_sheet", refuse)
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    rows = [THREE_LINES[0], {}, THREE_LINES[1], THREE_LINES[2]]  # submitted as rows 0, 1, 2
    response = client.post(sheet_url(case), form_data(case, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "名称过于笼统" in cell_error(html, "lines-2-name")
    start = html.index(tag(html, "lines-3-name"))
    assert "data-row-error>该配件不适配本车型" in html[start : html.index("</td>", start)]
    assert 'id="id_repair_shop_error"><div>该修理厂已停用。' in html
    assert "is-invalid" in tag(html, "repair_shop")
    assert "请先完成车辆定型" in html[: html.index("data-sheet-form")]


def test_a_state_change_during_the_save_is_a_conflict_that_keeps_the_input(
    client, firm, monkeypatch
):
    def moved_on(*args, **kwargs):
        raise IllegalTransition(
            "案件当前状态为「待审核」，不能执行「保存定损单」。",
            current_state="in_review",
            current_state_label="待审核",
        )

    monkeypatch.setattr("lossdesk.motor.views.do_save_assessment_sheet", moved_on)
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    response = client.post(sheet_url(case), form_data(case, THREE_LINES))
    assert response.status_code == 409
    html = response.content.decode()
    assert "案件当前状态为「待审核」" in html
    assert 'value="前大灯总成"' in tag(html, "lines-0-name")
