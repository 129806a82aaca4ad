"""公估费收入统计 (issue 14 §8): the fees of issued cases by client, branch and month, with the
approved adjustments and the payments allocated, against figures worked by hand; on the page
as a chart, in the Excel export and through the API; only for positions that see fees."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.billing import services as billing
from lossdesk.billing.statements import do_allocate_payment, do_record_payment
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.testing import API, client_for

pytestmark = pytest.mark.django_db

D = Decimal
# 3 % with a minimum of 300 (docs/billing.md's worked example): each 8,115.00 case earns 300.00.
PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}
HALF_OF_8115 = [{"kind": "repair", "name": "钣金修复", "quantity": "1", "unit_price": "4057.50"}]


@pytest.fixture
def fees(firm):
    billing.do_create_fee_contract(
        client=firm.client,
        line="motor",
        effective_from=date(2020, 1, 1),
        terms=PERCENTAGE,
        actor=firm.finance,
    )
    first = firm.issued_case(lines=HALF_OF_8115, plate="浙C70001", vin="")
    second = firm.issued_case(lines=HALF_OF_8115, plate="浙C70002", vin="")
    adjustment = billing.do_request_fee_adjustment(
        second, amount="50.00", reason="夜间查勘加收", actor=firm.finance
    )
    billing.do_decide_fee_adjustment(adjustment, decision="approve", actor=firm.zhoujiu)
    refused = billing.do_request_fee_adjustment(
        first, amount="80.00", reason="远程查勘", actor=firm.finance
    )
    billing.do_decide_fee_adjustment(
        refused, decision="refuse", note="协议未约定", actor=firm.zhoujiu
    )
    payment = do_record_payment(
        client=firm.client,
        paid_on=timezone.localdate(),
        amount="200.00",
        reference="R-1",
        actor=firm.finance,
    )
    do_allocate_payment(
        payment, allocations=[{"case_no": first.case_no, "amount": "200.00"}], actor=firm.finance
    )
    return first, second


def table(user, group_by="client"):
    today = timezone.localdate()
    return STATISTICS["fees"].compute(
        user, Filters(date_from=today.replace(day=1), date_to=today, group_by=group_by)
    )


def test_the_figures_by_client_match_the_hand_count(firm, fees):
    fee_table = table(firm.finance)
    (row,) = fee_table.rows
    assert row.label == firm.client.short_name
    assert row.values == {
        "cases": 2,
        "computed": D("600.00"),
        "adjusted": D("50.00"),  # the refused 80.00 does not count
        "receivable": D("650.00"),
        "paid": D("200.00"),
        "outstanding": D("450.00"),
        "paid_ratio": D("0.3077"),
    }
    assert fee_table.total.values["receivable"] == D("650.00")
    (month,) = table(firm.finance, "month").rows
    assert month.values["outstanding"] == D("450.00")


def test_positions_without_the_fee_right_and_other_branches_see_nothing(firm, fees):
    assert table(firm.zhangsan).total.values["cases"] == 0  # a surveyor
    assert table(firm.wushi).rows == []


def test_the_page_chart_export_and_api(client, firm, fees):
    client.force_login(firm.finance)
    today = timezone.localdate()
    period = {"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()}
    page = client.get(reverse("reports:statistic", args=["fees"]), period)
    assert page.status_code == 200 and "公估费收入统计" in page.content.decode()
    assert [bar["display"] for bar in page.context["chart"]["bars"]] == ["650.00"]

    export = client.get(reverse("reports:export", args=["fees"]), period)
    rows = list(
        load_workbook(BytesIO(export.content))["公估费收入统计"].iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("委托方", "案件数", "计算公估费(元)")
    assert rows[1][:2] == (firm.client.short_name, 2)

    body = client_for(firm.finance).get(f"{API}/statistics/fees", period).json()
    assert body["total"]["values"]["receivable"] == "650.00"
    assert body["total"]["values"]["paid_ratio"] == "0.3077"
