"""The KPI page and 结案统计表 over the demo data in headless Chromium: a manager opens the
KPIs from the statistics index, picks the month with the most closings and sees the chart,
the table and the targets, then the closing statistics with their chart, under the strict
CSP without a console error. The demo (seed_demo) drives every case through the services, so
these figures come from real timelines, dispatches and callbacks."""

import os
import shutil
from datetime import date
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.test import override_settings
from django.urls import reverse

from lossdesk.calc.models import CompensationStandard
from lossdesk.demo.firm import HQ_CODE
from lossdesk.org.models import Staff
from lossdesk.reports import kpis, rollups
from lossdesk.reports.models import ClosedCase, KpiTarget
from lossdesk.rules.standards import PROVINCE_STANDARDS_SEED

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "demo-pass-2026"


# The migrations' data seeds the demo needs (each leaves existing rows alone).
SEEDS = [
    ("calc.migrations.0002_seed_standards", "seed"),
    ("notify.migrations.0002_seed_templates", "seed"),
    ("notify.migrations.0005_deadline_templates", "seed"),
    ("property.migrations.0002_useful_life_defaults", "seed"),
    ("quality.migrations.0002_case_monitoring", "seed_default_rules"),
    ("quality.migrations.0003_staff_quality", "seed"),
]


def seed_standards() -> None:
    """The demo needs the data the migrations seed (standards, SMS templates, deadline rules,
    the misconduct scale), which an earlier transactional test's flush removed: the same rows
    again where missing. The compensation standards first, with the dates a later migration
    gave them, so calc's seed leaves them alone and fills the rest."""
    for row in PROVINCE_STANDARDS_SEED:
        CompensationStandard.objects.get_or_create(
            province=row.province,
            region=row.region,
            data_year=row.data_year,
            defaults={
                "urban_disposable_income": row.urban_disposable_income,
                "urban_consumption": row.urban_consumption,
                "average_wage": row.average_wage,
                "wage_label": row.wage_label,
                "wage_year": row.wage_year,
                "source": row.source,
                "note": row.note,
                "effective_from": date(row.data_year + 1, 1, 1),
            },
        )
    for module, function in SEEDS:
        getattr(import_module(f"lossdesk.{module}"), function)(apps, None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_kpis_and_closing_statistics_of_the_demo_show_charts(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    seed_standards()
    with override_settings(MEDIA_ROOT=tmp_path):
        call_command("seed_demo", "--cases", "30", "--parts", "50", "--password", PASSWORD)
    # The migration's default targets are there or not, as an earlier transactional test's
    # flush left them: this test's own.
    KpiTarget.objects.all().delete()
    KpiTarget.objects.create(indicator="arrival_median", effective_from="2020-01-01", target=30)
    KpiTarget.objects.create(indicator="satisfaction", effective_from="2020-01-01", target="0.9")
    rollups.refresh()
    busiest = (
        ClosedCase.objects.annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None, "the demo closes cases"
    month = f"{busiest['month']:%Y-%m}"
    manager = Staff.objects.get(branch__code=HQ_CODE, position__code="branch_manager")
    # The demo gives non-empty KPIs: cases handled, arrivals, a score.
    table = kpis.compute(manager, kpis.parse_month(month), "person")
    assert table.total.values["cases"] == busiest["n"]
    assert table.total.values["arrived"] > 0
    assert table.total.values["score"] is not None

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", manager.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()

        page.goto(live_server.url + reverse("reports:index"))
        page.click("[data-testid=kpi-link]")
        page.wait_for_url("**/stats/kpis/")
        page.fill("#id_month", month)
        page.select_option("#id_group_by", "branch")
        page.click("button[type=submit]:has-text('统计')")
        page.wait_for_load_state()
        assert f"month={month}" in page.url
        assert page.locator(".stats-bar-rect").count() > 0
        assert page.locator("[data-testid=stats-table-kpis] tbody tr").count() > 0
        total = page.locator("[data-testid=stats-table-kpis] tfoot th")
        assert total.nth(1).inner_text() == str(busiest["n"])  # 结案数
        assert page.locator("[data-testid=kpi-targets] tbody tr").count() == 2
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "stats-kpis.png"), full_page=True)
        with page.expect_download() as download:
            page.click("[data-testid=export-link]")
        assert download.value.suggested_filename.startswith(f"kpis-{month}")

        page.goto(
            live_server.url
            + reverse("reports:statistic", args=["closing"])
            + f"?date_from={month}-01&date_to={month}-28&group_by=client"
        )
        assert page.locator(".stats-bar-rect").count() > 0
        assert page.locator("[data-testid=stats-table-closing] tbody tr").count() > 0
        page.screenshot(path=str(ARTIFACTS / "stats-closing.png"), full_page=True)
        browser.close()
    assert problems == []
