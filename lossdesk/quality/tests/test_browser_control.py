"""Issue 15's control path in headless Chromium, as a branch manager (周九) lives it: the
overdue case escalated to them by the scheduled job shows in 我的时限提醒; the risk alert the
job raised on a late report is opened from the board with its rule and inputs and confirmed
(a dismissal without a reason refused); the repair-shop ranking draws its chart and gives its
Excel. Real commits here (the jobs run as cron runs them)."""

import os
import shutil
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.quality.tests.test_shop_statistics import shops  # noqa: F401 (the fixture)
from lossdesk.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
BAD_REQUEST = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_manager_is_notified_works_an_alert_and_reads_the_shop_ranking(
    live_server,
    firm,
    shops,  # noqa: F811
    monkeypatch,
):
    from playwright.sync_api import sync_playwright

    from lossdesk.quality.choices import AlertStatus
    from lossdesk.quality.models import Alert, DeadlineNotice, DeadlineRule

    # The flush before a transactional test removed the seeded rules: this test's own.
    DeadlineRule.objects.create(stage="dispatch", amount=10, unit="minutes")
    now = timezone.now()
    overdue = firm.registered_case(
        plate="浙A77777", reporter_phone="13900007777", reported_at=now - timedelta(minutes=45)
    )
    call_command("evaluate_deadlines")
    call_command("evaluate_alerts")
    escalated = DeadlineNotice.objects.get(deadline__case=overdue, recipient=firm.zhoujiu)
    late = Alert.objects.get(rule="late_report", status=AlertStatus.OPEN)

    # Playwright's loop runs in this thread; the downloads are read back here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", firm.zhoujiu.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")

        # Notified: the escalation of the overdue dispatch, linked to the case.
        page.goto(live_server.url + reverse("monitoring:notices"))
        notice = page.locator("[data-testid=notice-row]", has_text=overdue.case_no)
        assert notice.count() == 1 and escalated.get_kind_display() in notice.inner_text()

        # The alert: on the board with its rule and version, worked to a decision.
        with page.expect_navigation():
            page.click("nav >> text=风险预警")
        row = page.locator("[data-testid=alert-row]", has_text=late.case.case_no).filter(
            has_text=late.rule_title
        )
        assert f"{late.rule_title} v{late.rule_version}" in row.inner_text()
        with page.expect_navigation():
            row.locator("a:has-text('处理')").click()
        assert late.explanation in page.locator("[data-testid=alert-explanation]").inner_text()
        shown = page.content()
        assert late.inputs and all(name in shown for name in late.inputs)  # what the rule saw
        page.check("input[name=decision][value=dismissed]")
        with page.expect_navigation():
            page.click("button:has-text('提交')")
        assert "排除预警须写明理由。" in page.content()
        assert problems == [BAD_REQUEST]  # the refused form comes back as a 400
        problems.clear()
        late.refresh_from_db()
        assert late.status == AlertStatus.OPEN
        page.check("input[name=decision][value=confirmed]")
        page.fill("textarea[name=reason]", "与车主核实，事故后三天才报案，转调查。")
        with page.expect_navigation():
            page.click("button:has-text('提交')")
        late.refresh_from_db()
        assert (late.status, late.resolved_by) == (AlertStatus.CONFIRMED, firm.zhoujiu)

        # The repair-shop ranking: its chart and its Excel.
        with page.expect_navigation():
            page.click("nav >> text=修理厂")
        chart = page.locator("[data-testid=shop-chart] svg")
        assert chart.count() == 1 and chart.locator("rect").count() == 2
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "shop-ranking.png"), full_page=True)
        with page.expect_download() as caught:
            page.click("[data-testid=shop-export]")
        book = load_workbook(BytesIO(Path(caught.value.path()).read_bytes()))
        assert book.active["A1"].value == "修理厂" and book.active.max_row == 3
        browser.close()
    assert problems == []
