"""A property loss item from survey to approved, driven in headless Chromium: the surveyor
surveys the guardrail and assesses it on the property sheet, records the owner's offer and
the agreement, submits the case; the reviewer sees the property section and approves. And
the sheet page's conflicts: refused by a save of the sheet only, the input kept."""

from decimal import Decimal

import pytest

from lossdesk.claims.choices import CaseStatus, LossItemKind, LossItemStatus
from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM, Person
from lossdesk.property.models import PropertySheet
from lossdesk.property.services import do_save_property_sheet
from lossdesk.testing import add_damage_photo

BAD_REQUEST = "the server responded with a status of 400 (Bad Request)"
CONFLICT = "the server responded with a status of 409 (Conflict)"
WORKED = [
    # treatment, name, quantity, unit price, months used, useful life
    ("replace", "波形护栏板", "2", "5000", "36", "8"),
    ("compensate", "路灯控制箱", "1", "500", "120", "5"),
    ("repair", "立柱校正", "3", "120", "", ""),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_property_item_goes_from_survey_to_approved_in_the_browser(live_server, firm):
    from playwright.sync_api import sync_playwright

    case = firm.assessed_case(property_loss=True)  # the vehicles are assessed already
    item = case.loss_items.get(kind=LossItemKind.PROPERTY)
    vehicles = case.assessed_amount
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        # 张三: from the case page to the item's property page.
        surveyor = Person(browser, live_server.url, "zhangsan", problems)
        page = surveyor.page
        surveyor.open_case(case.case_no)
        page.click(f"tr:has-text('{item.label}') [data-testid=sheet-link]")
        page.wait_for_url(f"**/items/{item.seq}/property/")

        survey = page.locator("section[data-section=survey]")
        survey.locator("#survey_category").select_option("road_facility")
        survey.locator("#survey_owner_type").select_option("organisation")
        survey.locator("#survey_owner_name").fill("杭州市公路管理局")
        survey.locator("#survey_owner_phone").fill("0571-87654321")
        survey.locator("#survey_location").fill("文三路与学院路交叉口东侧")
        survey.locator("#survey_description").fill("护栏板两块撞弯，立柱三根倾斜。")
        survey.locator("button[type=submit]").click()
        page.wait_for_url(f"**/items/{item.seq}/property/")
        assert "物损查勘已保存" in page.locator("body").inner_text()

        # The sheet: a bad cell first (months used −1): the row keeps what was typed.
        for i, (treatment, name, quantity, price, months, life) in enumerate(WORKED):
            page.select_option(f"[name=lines-{i}-treatment]", treatment)
            page.fill(f"[name=lines-{i}-name]", name)
            page.fill(f"[name=lines-{i}-quantity]", quantity)
            page.fill(f"[name=lines-{i}-unit_price]", price)
            page.fill(f"[name=lines-{i}-months_used]", "-1" if i == 0 else months)
            page.fill(f"[name=lines-{i}-useful_life_years]", life)
        page.click("button[name=save]")
        page.wait_for_load_state()
        assert "已使用月数不能为负数" in page.locator("[data-line]").first.inner_text()
        assert page.input_value("[name=lines-1-name]") == "路灯控制箱"
        assert "保存后生成" in page.locator("section[data-section=sheet]").inner_text()  # unsaved
        # The refusal is a 400 page, which the browser logs; nothing else went wrong.
        assert problems == [f"zhangsan: Failed to load resource: {BAD_REQUEST}"]
        problems.clear()
        page.fill("[name=lines-0-months_used]", "36")
        page.click("button[name=save]")
        page.wait_for_url(f"**/items/{item.seq}/property/")
        sheet = page.locator("section[data-section=sheet]").inner_text()
        assert "62.5%" in sheet and "6,250.00" in sheet and "6,660.00" in sheet

        # The owner's offer, then the agreement below the assessed total.
        offers = page.locator("section[data-section=negotiation]")
        offers.locator("#offer_party").select_option("owner")
        offers.locator("#offer_speaker").fill("路政科 王科长")
        offers.locator("#offer_amount").fill("8000")
        offers.locator("form:has(#offer_speaker) button[type=submit]").click()
        page.wait_for_url(f"**/items/{item.seq}/property/")
        negotiation = page.locator("section[data-section=negotiation]")
        negotiation.locator("#negotiation_claimed_amount").fill("8000")
        negotiation.locator("#negotiation_agreed_amount").fill("6300")
        negotiation.locator("form:has(#negotiation_agreed_amount) button[type=submit]").click()
        page.wait_for_url(f"**/items/{item.seq}/property/")
        assert page.text_content("[data-amount=recommended]").strip() == "6,300.00"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-property-item.png"), full_page=True)

        surveyor.open_case(case.case_no)
        surveyor.act("case-submit")
        surveyor.expect_status("待审核")

        # 李四 reviews: the property section is on the review page.
        reviewer = Person(browser, live_server.url, "lisi", problems)
        page = reviewer.page
        page.goto(f"{live_server.url}/cases/{case.case_no}/review/")
        review = page.locator("body").inner_text()
        assert "杭州市公路管理局" in review and "62.5%" in review and "6,300.00" in review
        page.screenshot(path=str(ARTIFACTS / "e2e-property-review.png"), full_page=True)
        reviewer.open_case(case.case_no)
        panel = reviewer.panel("case-review")
        panel.locator("input[name=decision][value=approved]").check()
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        browser.close()

    assert problems == []
    case.refresh_from_db()
    item.refresh_from_db()
    assert case.status in (CaseStatus.APPROVED, CaseStatus.IN_SECOND_REVIEW)
    assert item.status in (LossItemStatus.APPROVED, LossItemStatus.SUBMITTED)
    assert case.assessed_amount == vehicles + PropertySheet.objects.get(loss_item=item).total


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_sheet_page_is_refused_only_by_a_save_of_the_sheet_and_keeps_the_input(
    live_server, firm, monkeypatch
):
    """Decision 0007, amended: a photo arriving while the sheet is typed does not refuse the
    save; a colleague's save of the sheet does, the rows stay, and a second click saves."""
    from playwright.sync_api import expect, sync_playwright

    case = firm.assessing_case(property_loss=True)
    item = case.loss_items.get(kind=LossItemKind.PROPERTY)
    repair = [{"treatment": "repair", "name": "立柱校正", "quantity": "3", "unit_price": "120"}]
    do_save_property_sheet(item, lines=repair, actor=firm.zhangsan)
    problems: list[str] = []
    # The colleagues' changes are made between clicks, inside playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = Person(browser, live_server.url, "zhangsan", problems).page
        page.goto(f"{live_server.url}/cases/{case.case_no}/items/{item.seq}/property/")
        sheet = page.locator("section[data-section=sheet]")

        # A photo arrives while the sheet is typed: saved at the first click.
        page.fill("[name=lines-0-quantity]", "4")
        add_damage_photo(case, actor=firm.qianqi)
        page.click("button[name=save]")
        page.wait_for_url(f"**/items/{item.seq}/property/")
        expect(sheet).to_contain_text("480.00")
        assert PropertySheet.objects.get(loss_item=item).version == 2

        # 钱七 saves the sheet while 张三 types: refused, the input kept, nothing written.
        page.fill("[name=lines-0-quantity]", "5")
        do_save_property_sheet(item, lines=repair, actor=firm.qianqi)
        page.click("button[name=save]")
        page.wait_for_load_state()
        errors = page.locator("[data-sheet-errors]")
        expect(errors).to_contain_text("物损定损单已被他人修改")
        expect(errors).to_contain_text("由 钱七 编制，合计 360.00 元")
        expect(page.locator("[name=lines-0-quantity]")).to_have_value("5")
        assert PropertySheet.objects.get(loss_item=item).total == Decimal("360.00")
        # The conflict is a 409 page, which the browser logs; nothing else went wrong.
        assert problems == [f"zhangsan: Failed to load resource: {CONFLICT}"]
        problems.clear()

        # The second, deliberate click saves over it.
        page.click("button[name=save]")
        page.wait_for_url(f"**/items/{item.seq}/property/")
        browser.close()

    assert problems == []
    sheet = PropertySheet.objects.get(loss_item=item)
    assert (sheet.total, sheet.assessor, sheet.version) == (Decimal("600.00"), firm.zhangsan, 4)
