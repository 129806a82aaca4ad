"""The phone's parts search in the browser (390 × 844, headless Chromium): the assessor's
search on an identified vehicle lists only that model's parts and says which model;
全部车型 widens it (ticked, or offered when the model has nothing); the third-party vehicle,
not identified, is searched over every model and the page says so; the reviewer's look-up
is narrowed the same way; offline the search says it needs the network."""

import pytest
from django.urls import reverse

from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM
from lossdesk.field.tests.test_browser import WIDTH, phone_login
from lossdesk.parts.services import do_identify_vehicle
from lossdesk.parts.testing import Catalogue
from lossdesk.testing import VALID_VINS

MODEL = "大众 途铠 2019款 1.5L 舒适版"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_phone_searches_the_identified_models_parts(live_server, firm):
    from playwright.sync_api import expect, sync_playwright

    catalogue = Catalogue()
    case = firm.assessing_case()
    do_identify_vehicle(
        case.loss_items.get(seq=1),
        vehicle_model=catalogue.tcross_base,
        vin=VALID_VINS[0],
        method="vin",
        actor=firm.qianqi,
    )
    url = live_server.url + reverse("field:assessment", args=[case.case_no])
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = phone_login(browser, live_server.url, "qianqi", problems)
        page.goto(url)
        hits = page.locator("[data-testid=part-hit]")
        heading = page.locator("[data-testid=parts-heading]")
        scope = page.locator("[data-testid=parts-scope]:visible")
        expect(scope).to_contain_text(f"已定型：{MODEL}，只查适用该车型的配件。")

        # The identified 途铠: its own bumper only, and the page says for which model.
        page.fill("[data-testid=parts-q]", "前保险杠")
        page.click("[data-parts-form] button")
        expect(heading).to_have_text(f"适用 {MODEL} 的配件：")
        expect(hits).to_have_count(1)
        expect(hits.first).to_contain_text("2GM 807 221")

        # 全部车型: every model's bumpers, and the page says the model is not checked.
        scope.locator("[data-testid=parts-all-models]").check()
        expect(heading).to_contain_text("全部车型的配件（本车已定型为")
        expect(hits.filter(has_text="1084167-00-E")).to_have_count(1)  # the Tesla's
        expect(hits.filter(has_text="18G-807-221-A")).to_have_count(1)  # 朗逸's
        scope.locator("[data-testid=parts-all-models]").uncheck()
        expect(hits).to_have_count(1)

        # A part the model has none of: said so, with the way to every model's parts.
        page.fill("[data-testid=parts-q]", "1084167")
        page.click("[data-parts-form] button")
        expect(page.locator("[data-testid=parts-empty]")).to_contain_text(
            f"{MODEL} 没有找到「1084167」。"
        )
        page.click("[data-testid=parts-widen]")
        expect(hits).to_have_count(1)
        expect(hits.first).to_contain_text("1084167-00-E")
        # Picked deliberately from another model: it goes on the sheet like any part.
        hits.first.locator("[data-testid=add-part]").first.click()
        expect(page.locator("#sheet-1 [data-line] [name=name]")).to_have_value("前保险杠")

        # The third party's vehicle is not identified: every model, and said so.
        page.select_option("[data-sheet-target]", "2")
        expect(scope).to_contain_text("2. 三者车1 浙B54321 尚未定型")
        page.fill("[data-testid=parts-q]", "前保险杠")
        page.click("[data-parts-form] button")
        expect(heading).to_contain_text("本车尚未定型")
        expect(hits.filter(has_text="2GM 807 221")).to_have_count(1)
        expect(hits.filter(has_text="1084167-00-E")).to_have_count(1)
        assert page.evaluate(WIDTH) <= 390
        # Offline: the search is a read of the live catalogue, not queued; it says so.
        context.set_offline(True)
        page.click("[data-parts-form] button")
        expect(page.locator("[data-parts-results]")).to_have_text("离线时不能查价，联网后再试。")
        context.set_offline(False)
        page.screenshot(path=str(ARTIFACTS / "field-parts-search.png"), full_page=True)
        context.close()

        # The reviewer's price look-up (field.js): narrowed the same way.
        context, page = phone_login(browser, live_server.url, "lisi", problems)
        page.goto(url)
        page.select_option("[data-sheet-target]", "1")
        page.fill("[data-testid=parts-q]", "前保险杠")
        page.click("[data-parts-form] button")
        expect(page.locator("[data-testid=parts-heading]")).to_have_text(f"适用 {MODEL} 的配件：")
        expect(page.locator("[data-testid=part-hit]")).to_have_count(1)
        page.locator("[data-testid=parts-all-models]:visible").check()
        expect(page.locator("[data-testid=part-hit]", has_text="1084167-00-E")).to_have_count(1)
        context.close()
        browser.close()
    assert problems == []
