"""The monitoring board in headless Chromium: a branch manager sees an overdue case, follows
the count to the case list and from there to the case, under the strict CSP without a
console error. Real commits here, so the deadlines come from the signals, not by hand."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from lossdesk.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_manager_drills_down_from_the_board_to_an_overdue_case(live_server, firm):
    from playwright.sync_api import sync_playwright

    from lossdesk.quality.models import CaseDeadline, DeadlineRule

    # The flush before a transactional test removed the seeded rules: this test's own.
    DeadlineRule.objects.create(stage="dispatch", amount=10, unit="minutes")
    now = timezone.now()
    late = firm.registered_case(
        accident_time=now - timedelta(hours=2), reported_at=now - timedelta(minutes=45)
    )
    fresh = firm.registered_case(  # due within the hour, not overdue
        plate="浙A66666", reporter_phone="13900006666", reported_at=now - timedelta(minutes=2)
    )
    assert CaseDeadline.objects.count() == 2  # written by the on-commit refresh

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", firm.zhoujiu.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")

        with page.expect_navigation():
            page.click("nav >> text=案件监控")
        assert page.locator("h1").inner_text() == "案件监控"
        row = page.locator("[data-testid=board-branch] [data-testid=board-row]")
        assert row.count() == 1 and row.locator("td").first.inner_text() == "杭州分公司"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "monitoring-board.png"), full_page=True)

        with page.expect_navigation():
            row.locator("td").nth(1).locator("a").click()  # the overdue count
        assert "已超时" in page.locator("h1").inner_text()
        listed = page.locator("[data-testid=deadline-row]")
        assert listed.count() == 1
        assert listed.first.get_attribute("data-status") == "overdue"
        assert fresh.case_no not in page.content()

        with page.expect_navigation():
            listed.first.locator(f"a:has-text('{late.case_no}')").click()
        assert late.case_no in page.locator("h1").inner_text()
        browser.close()
    assert problems == []
