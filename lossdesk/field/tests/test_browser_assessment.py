"""On-site assessment on the phone (390 × 844, headless Chromium): the assessor writes a
vehicle's damage sheet from the parts search and a saved price query, edits a quantity and
saves (a photo uploaded meanwhile refuses nothing); offline the page says the sheet cannot
be saved and keeps the input (across a reload); a save over a colleague's save is the 409
with the input kept, and the second tap saves. The server's sheet holds exactly the lines
and total typed on the phone."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM
from lossdesk.field.tests.test_browser import WIDTH, phone_login
from lossdesk.motor.models import AssessmentSheet
from lossdesk.motor.services import do_save_assessment_sheet
from lossdesk.parts.services import do_save_price_query
from lossdesk.parts.testing import Catalogue
from lossdesk.testing import add_damage_photo

CONFLICT = "the server responded with a status of 409 (Conflict)"


def sheet_lines(item) -> list[tuple]:
    sheet = AssessmentSheet.objects.get(loss_item=item)
    return [
        (line.kind, line.name, line.quantity, line.unit_price, line.part_id)
        for line in sheet.lines.order_by("seq")
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_assessor_writes_the_sheet_on_the_phone(live_server, firm, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    catalogue = Catalogue()
    case = firm.assessing_case()
    item = case.loss_items.get(seq=1)
    query = do_save_price_query(
        {
            "vehicle_model": catalogue.tcross_base,
            "case": case.case_no,
            "loss_item": item.pk,
            "lines": [{"part": catalogue.fog.pk, "quantity": "2"}],
        },
        actor=firm.qianqi,
    )
    fog_price = query.current_lines.get().unit_price  # 4S, the query's default type
    url = live_server.url + reverse("field:assessment", args=[case.case_no])
    problems: list[str] = []
    # The checks read the database between taps, inside playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = phone_login(browser, live_server.url, "qianqi", problems)
        page.goto(url)
        sheet = page.locator("#sheet-1")
        rows = sheet.locator("[data-line]")
        expect(sheet.locator("[data-sheet-editor]")).to_be_visible()
        expect(rows).to_have_count(0)

        # The parts search: a tap on the bumper's 4S price adds it as a replace line.
        page.fill("[data-testid=parts-q]", "前杠")
        page.click("[data-parts-form] button")
        bumper = page.locator("[data-testid=part-hit]", has_text="2GM 807 221")
        bumper.locator("[data-testid=add-part]", has_text="4S店价").click()
        expect(rows).to_have_count(1)
        expect(rows.first.locator("[name=name]")).to_have_value("前保险杠")
        expect(rows.first.locator("[name=unit_price]")).to_have_value("1320")  # 浙江's price
        expect(rows.first.locator("[data-source]")).to_contain_text("目录价 4S店价（原厂） · 浙江")

        # The saved price query: one tap saves the new line, then applies the query.
        query_item = page.locator("[data-testid=price-query]", has_text=query.query_no)
        query_item.locator("[data-testid=apply-query]").click()
        expect(sheet.locator("[data-testid=sheet-success]")).to_contain_text(
            f"已应用询价单 {query.query_no}"
        )
        expect(rows).to_have_count(2)
        expect(rows.nth(1).locator("[name=name]")).to_have_value("前雾灯")
        expect(rows.nth(1).locator("[name=quantity]")).to_have_value("2")

        # A photo arrives from the offline queue while the sheet is being typed: the case
        # moves on, the sheet does not, so the save below goes through at the first tap.
        add_damage_photo(case, actor=firm.qianqi)

        # Edit a quantity and save.
        rows.nth(1).locator("[name=quantity]").fill("3")
        expect(sheet.locator("[data-total]")).to_contain_text(f"{1320 + 3 * fog_price:,.2f}")
        sheet.locator("[data-testid=sheet-save]").click()
        expect(sheet.locator("[data-testid=sheet-success]")).to_contain_text("已保存定损单")
        bumper_line = ("replace", "前保险杠", Decimal("1.00"), Decimal("1320.00"))
        fog_line = ("replace", "前雾灯", Decimal("3.00"), fog_price)
        assert sheet_lines(item) == [
            (*bumper_line, catalogue.bumper.pk),
            (*fog_line, catalogue.fog.pk),
        ]
        total = Decimal("1320.00") + 3 * fog_price
        assert AssessmentSheet.objects.get(loss_item=item).total == total

        # Offline: the page says the sheet cannot be saved now and keeps what was typed.
        context.set_offline(True)
        expect(page.locator("[data-sheet-offline]")).to_be_visible()
        rows.first.locator("[name=quantity]").fill("2")
        sheet.locator("[data-testid=sheet-save]").click()
        expect(sheet.locator("[data-testid=sheet-warning]")).to_contain_text(
            "当前离线，定损单现在不能保存。"
        )
        # Meanwhile a colleague saves the sheet from the desk.
        do_save_assessment_sheet(
            item,
            lines=[{"kind": "repair", "name": "前纵梁校正", "unit_price": "300"}],
            actor=firm.zhangsan,
        )
        context.set_offline(False)
        page.reload()  # the typing survives the page (the draft in localStorage)
        expect(sheet.locator("[data-sheet-notice]")).to_contain_text("已恢复本机保存")
        expect(rows.first.locator("[name=quantity]")).to_have_value("2")

        # A save over the colleague's: the 409's message, the input kept, nothing written.
        sheet.locator("[data-testid=sheet-save]").click()
        danger = sheet.locator("[data-testid=sheet-danger]")
        expect(danger).to_contain_text("定损单已被他人修改")
        expect(danger).to_contain_text("您填写的内容已保留，尚未保存。")
        expect(danger).to_contain_text("由 张三 编制，合计 300.00 元")
        expect(rows.first.locator("[name=quantity]")).to_have_value("2")
        colleagues = ("repair", "前纵梁校正", Decimal("1.00"), Decimal("300.00"), None)
        assert sheet_lines(item) == [colleagues]
        # The second, deliberate tap saves the phone's sheet.
        sheet.locator("[data-testid=sheet-save]").click()
        expect(sheet.locator("[data-testid=sheet-success]")).to_contain_text("已保存定损单")
        assert sheet_lines(item) == [
            ("replace", "前保险杠", Decimal("2.00"), Decimal("1320.00"), catalogue.bumper.pk),
            (*fog_line, catalogue.fog.pk),
        ]
        assert AssessmentSheet.objects.get(loss_item=item).total == total + Decimal("1320.00")

        width = page.evaluate(WIDTH)
        page.screenshot(path=str(ARTIFACTS / "field-sheet-editor.png"), full_page=True)

        # The other vehicle's sheet takes a part when chosen; 放弃修改 drops the change and
        # its draft.
        page.select_option("[data-sheet-target]", "2")
        page.fill("[data-testid=parts-q]", "前杠")  # the page was reloaded above
        page.click("[data-parts-form] button")
        bumper.locator("[data-testid=add-part]", has_text="4S店价").click()
        other = page.locator("#sheet-2")
        expect(other.locator("[data-line]")).to_have_count(1)
        expect(rows).to_have_count(2)
        page.once("dialog", lambda dialog: dialog.accept())
        other.locator("[data-sheet-discard]").click()
        expect(other.locator("[data-line]")).to_have_count(0)
        page.reload()
        expect(other.locator("[data-sheet-editor]")).to_be_visible()
        expect(other.locator("[data-line]")).to_have_count(0)
        expect(other.locator("[data-sheet-notice]")).to_have_text("")
        browser.close()
    assert width <= 390
    assert problems == [f"qianqi: Failed to load resource: {CONFLICT}"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_draft_kept_by_an_earlier_release_is_checked_against_the_case(
    live_server, firm, monkeypatch
):
    """A draft from before sheets had their own version holds the case version: it is sent
    as one, so a photo since is the 409 as it was then; the second tap carries the sheet's
    version and saves."""
    import json

    from playwright.sync_api import expect, sync_playwright

    case = firm.assessed_case()
    item = case.loss_items.get(seq=1)
    key = f"lossdesk-sheet:{firm.qianqi.pk}:{case.case_no}:1"
    draft = {
        "version": case.version,
        "lines": [{"kind": "repair", "name": "前纵梁校正", "unit_price": "300"}],
        "at": 0,
    }
    add_damage_photo(case, actor=firm.zhangsan)
    problems: list[str] = []
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _, page = phone_login(browser, live_server.url, "qianqi", problems)
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, json.dumps(draft)])
        page.goto(live_server.url + reverse("field:assessment", args=[case.case_no]))
        sheet = page.locator("#sheet-1")
        expect(sheet.locator("[data-sheet-notice]")).to_contain_text("已恢复本机保存")
        sheet.locator("[data-testid=sheet-save]").click()
        expect(sheet.locator("[data-testid=sheet-danger]")).to_contain_text("案件已被他人修改")
        assert AssessmentSheet.objects.get(loss_item=item).version == 1
        sheet.locator("[data-testid=sheet-save]").click()
        expect(sheet.locator("[data-testid=sheet-success]")).to_contain_text("已保存定损单")
        browser.close()
    assert sheet_lines(item) == [("repair", "前纵梁校正", Decimal("1.00"), Decimal("300.00"), None)]
    assert problems == [f"qianqi: Failed to load resource: {CONFLICT}"]
