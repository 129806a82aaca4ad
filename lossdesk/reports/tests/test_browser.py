"""The statistics and outbox pages in headless Chromium: they render under the strict CSP
without a console error, and the chart and filters work as a person uses them."""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from lossdesk.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_manager_filters_the_dispatch_statistics_and_exports_them(live_server, month):
    from playwright.sync_api import sync_playwright

    from lossdesk.notify.services import send_sms

    send_sms(
        "13812345678",
        "callback_link",
        {"case_no": month.cases["A"].case_no, "url": "https://x.example/cb"},
        case=month.cases["A"],
    )
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", "zjmanager")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/cases/")

        page.goto(live_server.url + reverse("reports:statistic", args=["dispatch"]))
        page.fill("#id_date_from", "2026-03-01")
        page.fill("#id_date_to", "2026-03-31")
        page.select_option("#id_group_by", "person")
        page.click("button[type=submit]:has-text('统计')")
        page.wait_for_load_state()
        assert "group_by=person" in page.url
        rows = page.locator("[data-testid=stats-table-dispatch] tbody tr")
        assert rows.count() == 2
        assert rows.first.locator("td").first.inner_text() == "张三"
        bar = page.locator(".stats-bar-rect").first
        assert bar.evaluate("el => getComputedStyle(el).fill") == "rgb(59, 111, 182)"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "stats-dispatch.png"), full_page=True)
        with page.expect_download() as download:
            page.click("[data-testid=export-link]")
        assert download.value.suggested_filename.startswith("dispatch-")

        page.goto(live_server.url + reverse("notify:outbox"))
        assert page.locator("[data-testid=sms-phone]").first.inner_text() == "13812345678"
        page.screenshot(path=str(ARTIFACTS / "sms-outbox.png"), full_page=True)
        browser.close()
    assert problems == []
