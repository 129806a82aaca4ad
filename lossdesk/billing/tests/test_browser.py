"""A finance user in headless Chromium: enters the client's fee contract (a bad bracket first,
refused naming it), sets the client's settlement-sheet headers, makes a statement of the
cases issued since, exports it, records a payment and allocates part of it, uploads the
client's settlement sheet and sees the mismatch in the reconciliation detail table; the
ageing shows what is still owed."""

import os
import shutil
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from lossdesk.billing.models import ClientSheetMapping, FeeContract
from lossdesk.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
BAD_REQUEST = "the server responded with a status of 400 (Bad Request)"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PERCENTAGE = '{"mode": "percentage", "rate": "0.03", "minimum": "300", "maximum": "5000"}'
OVERLAPPING = (
    '{"mode": "progressive", "brackets": [{"up_to": "10000", "rate": "0.04"}, '
    '{"up_to": "8000", "rate": "0.03"}, {"up_to": null, "rate": "0.02"}]}'
)
LINE_20000 = [{"kind": "repair", "name": "钣金修复", "quantity": "1", "unit_price": "10000.00"}]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_finance_user_bills_collects_and_reconciles_in_the_browser(
    live_server, firm, tmp_path, monkeypatch
):
    from playwright.sync_api import sync_playwright

    # The cases are issued once the contract is in, while the browser's event loop runs in
    # this thread: Django's guard against the ORM inside an event loop does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    today = timezone.localdate().isoformat()
    book = Workbook()
    for row in (["理赔编号", "应付金额"], ["PICC-1", 600], ["PICC-2", 580.5], ["PICC-77", 300]):
        book.active.append(row)
    sheet = tmp_path / "人保结算清单.xlsx"
    book.save(sheet)

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", "finance")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")

        page.goto(live_server.url + reverse("billing:contract-list"))
        page.select_option("#id_client", str(firm.client.pk))
        page.select_option("#id_line", "motor")
        page.fill("#id_effective_from", date(2020, 1, 1).isoformat())
        page.fill("#id_terms", OVERLAPPING)
        with page.expect_navigation():
            page.click("button:has-text('保存为新版本')")
        form = page.locator("[data-testid=contract-form]").inner_text()
        assert "brackets.1.up_to：须大于上一档的上限 10000.00" in form
        assert problems == [f"Failed to load resource: {BAD_REQUEST}"]  # the refusal is a 400
        problems.clear()
        page.fill("#id_terms", PERCENTAGE)
        with page.expect_navigation():
            page.click("button:has-text('保存为新版本')")
        assert "第 1 版" in page.locator("[data-testid=contracts]").inner_text()
        assert FeeContract.objects.get(client=firm.client).terms["minimum"] == "300.00"

        page.goto(live_server.url + reverse("billing:sheet-mapping-edit", args=[firm.client.pk]))
        page.fill("#id_client_claim_no", "理赔编号")
        page.fill("#id_amount", "应付金额")
        with page.expect_navigation():
            page.click("button:has-text('保存')")
        assert "理赔编号" in page.locator("[data-testid=sheet-mappings]").inner_text()
        assert ClientSheetMapping.objects.get(client=firm.client).columns["amount"] == ["应付金额"]

        # The contract prices the cases issued from now on.
        cases = [firm.issued_case(lines=LINE_20000, client_claim_no=f"PICC-{n}") for n in (1, 2)]
        page.goto(live_server.url + reverse("billing:statement-list"))
        page.select_option("#id_client", str(firm.client.pk))
        page.fill("#id_period_start", today)
        page.fill("#id_period_end", today)
        with page.expect_navigation():
            page.click("button:has-text('生成对账单')")
        assert page.locator("[data-testid=statement-lines] tbody tr").count() == 2
        assert page.locator("[data-testid=statement-total]").inner_text() == "1,200.00"
        with page.expect_download() as download:
            page.click("[data-testid=statement-export]")
        exported = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))["对账单"]
        assert [exported["B7"].value, exported["B8"].value] == ["PICC-1", "PICC-2"]
        with page.expect_navigation():
            page.click("button:has-text('发送委托方')")
        assert page.locator("[data-testid=statement-status]").inner_text() == "已发送"
        statement_url = page.url

        page.goto(live_server.url + reverse("billing:payment-list"))
        page.select_option("#id_client", str(firm.client.pk))
        page.fill("#id_paid_on", today)
        page.fill("#id_amount", "900.00")
        page.fill("#id_reference", "HK20261204")
        with page.expect_navigation():
            page.click("button:has-text('登记')")
        page.fill(f"input[name=amount_{cases[0].case_no}]", "600")
        page.fill(f"input[name=amount_{cases[1].case_no}]", "300.01")
        with page.expect_navigation():
            page.click("button:has-text('核销')")
        assert "超出回款尚可核销金额" in page.locator("[data-testid=allocation-form]").inner_text()
        assert problems == [f"Failed to load resource: {BAD_REQUEST}"]  # the refusal is a 400
        problems.clear()
        page.fill(f"input[name=amount_{cases[1].case_no}]", "")
        with page.expect_navigation():
            page.click("button:has-text('核销')")
        assert page.locator("[data-testid=payment-remaining]").inner_text() == "300.00"

        page.goto(statement_url)
        page.set_input_files("#id_file", str(sheet))
        with page.expect_navigation():
            page.click("button:has-text('上传并对账')")
        rows = page.locator("[data-testid=reconciliation-lines] tbody tr")
        assert rows.count() == 3
        differs = page.locator("tr[data-category=amount_differs]")
        assert differs.locator("td").nth(0).inner_text() == "PICC-2"
        assert [differs.locator("td").nth(i).inner_text() for i in (3, 4, 5)] == [
            "600.00",
            "580.50",
            "-19.50",
        ]
        unknown = page.locator("tr[data-category=only_theirs]")
        assert "PICC-77" in unknown.inner_text() and "无此案件" in unknown.inner_text()
        with page.expect_download() as download:
            page.click("[data-testid=reconciliation-export]")
        assert download.value.suggested_filename.endswith(".xlsx")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "billing-reconciliation.png"), full_page=True)

        page.goto(live_server.url + reverse("billing:ageing"))
        assert "600.00" in page.locator("[data-testid=ageing] tbody").inner_text()
        browser.close()
    assert problems == []
