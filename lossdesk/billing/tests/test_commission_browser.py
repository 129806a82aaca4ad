"""Finance and the branch manager in headless Chromium: finance runs March's commissions of
杭州, reads 张三's sheet and exports the month; the branch manager approves it and the month
is locked."""

import shutil
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.billing import commissions, services
from lossdesk.billing.tests.test_commissions import PERCENTAGE, RULES
from lossdesk.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def log_in(browser, live_server, username):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_finance_runs_a_month_and_the_branch_manager_approves_it(live_server, firm):
    from playwright.sync_api import sync_playwright

    services.do_create_fee_contract(
        client=firm.client,
        line="motor",
        effective_from=date(2020, 1, 1),
        terms=PERCENTAGE,
        actor=firm.finance,
    )
    for role, terms in RULES.items():
        commissions.do_create_commission_rule(
            role=role, effective_from=date(2020, 1, 1), terms=terms, actor=firm.finance
        )
    march = datetime(2026, 3, 10, 9, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(march, tick=False):
        case = firm.issued_case()  # fee 300.00

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = log_in(browser, live_server, "finance")
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(live_server.url + reverse("billing:commission-run-list"))
        page.select_option("#id_branch", str(firm.hangzhou.pk))
        page.fill("#id_month", "2026-03")
        with page.expect_navigation():
            page.click("[data-testid=run-form] button[type=submit]")
        assert page.locator("[data-testid=run-status]").inner_text() == "待审批"
        assert page.locator("[data-testid=run-total]").inner_text() == "102.00"
        assert page.locator("[data-testid=approve]").count() == 0  # finance does not approve
        run_url = page.url
        with page.expect_download() as download:
            page.click("text=导出 Excel")
        book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
        assert book.sheetnames[0] == "2026-03 汇总"

        with page.expect_navigation():
            page.click("text=张三")
        assert page.locator("[data-testid=sheet-total]").inner_text() == "84.00"
        assert case.case_no in page.inner_text("table")
        assert "公估费 300.00 × 8% = 24.00" in page.inner_text("table")

        manager = log_in(browser, live_server, "zhoujiu")
        manager.on("pageerror", lambda error: problems.append(str(error)))
        manager.goto(run_url)
        with manager.expect_navigation():
            manager.click("[data-testid=approve]")
        assert manager.locator("[data-testid=run-status]").inner_text() == "已审批"
        assert "该月已锁定" in manager.inner_text("body")
        assert manager.locator("[data-testid=approve]").count() == 0

        # Running the locked month again is refused on the form, nothing changes.
        page.goto(live_server.url + reverse("billing:commission-run-list"))
        page.select_option("#id_branch", str(firm.hangzhou.pk))
        page.fill("#id_month", "2026-03")
        with page.expect_navigation():
            page.click("[data-testid=run-form] button[type=submit]")
        assert "已审批锁定，不能重算" in page.inner_text("[data-testid=run-form]")
        browser.close()
    assert problems == []
