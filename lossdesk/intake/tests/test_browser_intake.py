"""In headless Chromium: the dispatcher registers a report and dispatches from the
recommendation panel; a customer rates the service on the public callback page on a phone."""

import pytest
from django.urls import reverse

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Case
from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM, Person
from lossdesk.intake.choices import CallbackStatus
from lossdesk.intake.models import Callback
from lossdesk.intake.services import callbacks
from lossdesk.intake.tests.conftest import shift


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_new_report_is_dispatched_from_the_recommendation_panel(live_server, firm):
    from playwright.sync_api import sync_playwright

    liuyi = firm.staff("liuyi", "刘一", "surveyor", firm.hangzhou)
    shift(liuyi, zone="西湖区")
    shift(firm.zhangsan, zone="滨江区")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        dispatcher = Person(browser, live_server.url, "zhaoliu", problems)
        page = dispatcher.page
        page.click("nav >> text=登记报案")
        page.select_option("#id_client", label=str(firm.client))
        page.fill("#id_client_claim_no", "PICC-E2E-DISPATCH")
        page.fill("#id_plate", "浙A7E2E7")
        page.fill("#id_reporter_name", "陈先生")
        page.fill("#id_reporter_phone", "13812345678")
        page.fill("#id_accident_time", "2026-01-05T09:30")
        page.fill("#id_reported_at", "2026-01-05T10:00")
        page.fill("#id_accident_place", "杭州市西湖区文三路与学院路交叉口")
        page.fill("#id_accident_lat", "30.2790")
        page.fill("#id_accident_lng", "120.1420")
        page.fill("#id_third_party_vehicles", "0")
        page.fill("#id_injured_persons", "0")
        page.click("button[type=submit]:has-text('登记')")
        page.wait_for_url("**/cases/C*/")
        case_no = page.url.rstrip("/").rsplit("/", 1)[-1]

        panel = dispatcher.panel("case-dispatch")
        rows = panel.locator("[data-testid=candidate]")
        assert rows.count() == 2
        assert "刘一" in rows.nth(0).inner_text() and "推荐" in rows.nth(0).inner_text()
        assert "值班区域与出险地点一致" in rows.nth(0).inner_text()
        assert "在班（滨江区" in rows.nth(1).inner_text()
        selected = panel.locator("select[name=surveyor] option:checked").inner_text()
        assert selected.startswith("刘一")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "intake-dispatch-panel.png"), full_page=True)
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        dispatcher.expect_status("待接单")
        assert "已调度查勘员 刘一" in page.locator(".messages").inner_text()
        browser.close()

    assert problems == []
    case = Case.objects.get(case_no=case_no)
    assert case.status == CaseStatus.DISPATCHED and case.surveyor == liuyi
    assert case.dispatches.get().recommended_surveyor == liuyi


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_customer_rates_the_service_on_a_phone(live_server, firm, monkeypatch):
    from playwright.sync_api import sync_playwright

    tokens = []
    original = callbacks.callback_url
    monkeypatch.setattr(callbacks, "callback_url", lambda t: tokens.append(t) or original(t))
    case = firm.closed_case()  # a real commit: the callback task and its SMS link follow
    [token] = tokens
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
        )
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("intake:callback-public", args=[token]))
        assert case.case_no in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        box = page.locator("label.rating-choice").first.bounding_box()
        assert box["height"] >= 44  # a comfortable touch target
        page.screenshot(path=str(ARTIFACTS / "intake-callback-phone.png"), full_page=True)
        page.locator("label.rating-choice", has_text="4 分").click()
        page.fill("textarea[name=comment]", "查勘员来得很快，态度很好。")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=callback-thanks]")
        page.screenshot(path=str(ARTIFACTS / "intake-callback-thanks.png"), full_page=True)
        page.goto(live_server.url + reverse("intake:callback-public", args=[token]))
        assert page.locator("[data-testid=callback-used]").count() == 1
        browser.close()

    assert problems == [] or all("409" in p for p in problems)
    callback = Callback.objects.get(case=case)
    assert (callback.status, callback.rating) == (CallbackStatus.COMPLETED, 4)
