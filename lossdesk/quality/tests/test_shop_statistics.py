"""Repair-shop statistics (车商/4S店): each figure from cases built through the services,
within the user's scope, on the ranking page, its Excel, a shop's profile and the API."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import ReviewDecision
from lossdesk.motor.models import AssessmentLine, AssessmentSheet
from lossdesk.org.models import RepairShop
from lossdesk.parts import services as parts_services
from lossdesk.parts.testing import Catalogue
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.models import Alert
from lossdesk.quality.services import evaluate_case
from lossdesk.quality.shops import shop_statistics
from lossdesk.testing import API, client_for

pytestmark = pytest.mark.django_db

BRANCH_BY_ID = 'SELECT "org_branch"."id"'


@pytest.fixture
def shops(firm):
    """Two approved cases at the firm's 4S shop (one returned once on the way; one reported
    three days late), one case still in review at a second shop."""
    now = timezone.now()
    approved = firm.approved_case(plate="浙C50001", vin="")
    returned = firm.in_review_case(
        plate="浙C50002",
        vin="",
        accident_time=now - timedelta(days=3),
        reported_at=now - timedelta(hours=2),
    )
    claims_services.do_review_case(
        returned, decision=ReviewDecision.RETURNED, reason="工时偏高", actor=firm.lisi
    )
    claims_services.do_submit_for_review(returned, actor=firm.zhangsan)
    claims_services.do_review_case(returned, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    late = RULES["late_report"]
    evaluate_case(returned, rules=[(late, late.parameters({}))])
    second = RepairShop.objects.create(name="杭州顺达修理厂", kind="class2", branch=firm.hangzhou)
    pending = firm.in_review_case(plate="浙C50003", vin="")
    AssessmentSheet.objects.filter(loss_item__case=pending).update(repair_shop=second)
    return firm.repair_shop, second, approved, returned, pending


def totals(case):
    return sum(AssessmentSheet.objects.filter(loss_item__case=case).values_list("total", flat=True))


def period():
    today = timezone.localdate()
    return today - timedelta(days=30), today


def test_each_figure_per_shop(firm, shops):
    main, second, approved, returned, _ = shops
    by_shop = {s.shop: s for s in shop_statistics(firm.zhoujiu, *period())}

    first = by_shop[main]
    assert (first.cases, first.vehicles, first.referrals) == (2, 4, 4)  # two vehicles a case
    assert first.approved_total == totals(approved) + totals(returned)
    assert first.approved_average == (first.approved_total / 4).quantize(Decimal("0.01"))
    assert first.returned_cases == 1 and first.return_rate == Decimal("0.5")
    assert first.cycle_hours is not None and first.cycle_hours >= 0
    assert first.open_alerts == 1 and first.confirmed_alerts == 0  # the late report
    assert first.price_deviation is None  # no line priced from a query

    other = by_shop[second]
    assert (other.cases, other.vehicles, other.referrals) == (1, 2, 0)
    assert other.approved_total == 0 and other.approved_average is None
    assert other.cycle_hours is None and other.return_rate == 0
    # Ranked by referrals.
    assert [s.shop for s in shop_statistics(firm.zhoujiu, *period())] == [main, second]


def test_the_price_deviation_is_against_the_catalogue_price_of_the_query(firm, shops):
    main, *_ = shops
    catalogue = Catalogue()
    query = parts_services.do_save_price_query(
        {
            "vehicle_model": catalogue.tcross_base,
            "vin": "LSVUB6C10K2053790",
            "lines": [{"part": catalogue.bumper.pk, "price_type": "4s", "quantity": "1"}],
        },
        actor=firm.zhangsan,
    )
    query_line = query.lines.get()  # the 浙江 4S price, 1,320.00
    line = AssessmentLine.objects.filter(sheet__repair_shop=main).first()
    line.price_query_line, line.quantity, line.unit_price = query_line, 2, Decimal("1452.00")
    line.save()

    (stat,) = [s for s in shop_statistics(firm.zhoujiu, *period()) if s.shop == main]

    assert query_line.catalogue_price == Decimal("1320.00")
    assert stat.price_deviation == Decimal("0.1000")  # 2 × 1,452 against 2 × 1,320


def test_another_branch_counts_none_of_these_cases(firm, shops):
    assert shop_statistics(firm.wushi, *period()) == []


def test_the_ranking_page_its_excel_and_the_profile(firm, shops):
    main, second, approved, *_ = shops
    client = Client()
    client.force_login(firm.zhoujiu)

    with CaptureQueriesContext(connection) as statements:
        page = client.get("/quality/repair-shops/").content.decode()
    assert page.count('data-testid="shop-row"') == 2 and page.index(main.name) < page.index(
        second.name
    )
    # Each shop's branch comes with the shops, not one statement per shop.
    assert not [q for q in statements.captured_queries if q["sql"].startswith(BRANCH_BY_ID)]
    assert "50.0%" in page  # the return rate of the first shop
    # The chart draws the ranking's referrals: the first shop's bar full width, the other's none.
    chart = page[page.index('data-testid="shop-chart"') : page.index('data-testid="shop-ranking"')]
    assert "送修量（按修理厂）" in chart and f"<title>{main.name}：4</title>" in chart
    assert re.findall(r'class="stats-bar-rect"[^>]* width="([\d.]+)"', chart) == ["380.0", "0"]

    export = client.get("/quality/repair-shops/", {"format": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("修理厂", "类型", "所在机构", "案件数", "定损车辆", "送修量")
    assert rows[1][0] == main.name and rows[1][3:6] == (2, 4, 4)
    assert rows[2][0] == second.name and rows[2][5] == 0

    profile = client.get(f"/quality/repair-shops/{main.pk}/").content.decode()
    assert approved.case_no in profile and 'data-testid="shop-referrals">4<' in profile

    bad = client.get("/quality/repair-shops/", {"date_from": "2026-12-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400 and "开始日期不能晚于结束日期。" in bad.content.decode()


def test_the_api_gives_the_same_figures(firm, shops):
    main, second, *_ = shops
    api = client_for(firm.zhoujiu)
    ranking = api.get(f"{API}/repair-shop-statistics").json()
    assert [r["shop"]["name"] for r in ranking] == [main.name, second.name]
    one = api.get(f"{API}/repair-shops/{main.pk}/statistics").json()
    assert one == ranking[0] and one["referrals"] == 4 and one["return_rate"] == "0.5000"
    assert api.get(f"{API}/repair-shops/{main.pk}/statistics?date_from=x").status_code == 400
    # A shop with nothing in the user's scope: zeros, not an error.
    nothing = client_for(firm.wushi).get(f"{API}/repair-shops/{main.pk}/statistics").json()
    assert nothing["cases"] == 0 and nothing["approved_average"] is None
    assert client_for(firm.zhangsan).get(f"{API}/repair-shop-statistics").status_code == 403
    assert Alert.objects.count() >= 1
