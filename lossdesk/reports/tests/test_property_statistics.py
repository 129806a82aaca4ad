"""三者物损统计 against figures computed by hand. The property items are built through the
property services on a travelling clock (Beijing time, 2026), all in 杭州:

| item | client | reported | category | sheet (assessor) | claimed | agreed (at) |
|---|---|---|---|---|---|---|
| P1 | 人保 | 03-02 09:00 | 道路设施 | 6,660.00 (张三) | 8,000.00 | 6,000.00 (03-04 09:00: 2 days) |
| P2 | 太保 | 03-05 10:00 | 道路设施 | 360.00 (张三) | 500.00 | 400.00 (03-05 22:00: 0.5 day) |
| P3 | 人保 | 03-10 09:00 | 绿化 | 500.00 (钱七) | 900.00 | 450.00 (03-16 09:00: 6 days) |
| P4 | 人保 | 03-12 09:00 | not surveyed | — | — | — |
| P5 | 人保 | 04-01 09:00 | 绿化 | 100.00 (张三) | 300.00 | — |
| X | 人保 | 03-03 09:00 | 建筑物 | — | — | — (case cancelled: not counted) |

P2's agreed amount is above its sheet (with the reason). Each case also has vehicle items
(本车, 三者车), which are not counted.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CancelReason, LossItemKind
from lossdesk.org.models import Client
from lossdesk.property import services
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.reports.tests.conftest import at
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
GUARDRAIL = [
    {
        "treatment": "replace",
        "name": "波形护栏板",
        "quantity": "2",
        "unit_price": "5000.00",
        "months_used": "36",
        "useful_life_years": "8",
    },  # 10,000 × 62.5 % = 6,250.00
    {
        "treatment": "compensate",
        "name": "路灯控制箱",
        "quantity": "1",
        "unit_price": "500",
        "months_used": "120",
        "useful_life_years": "5",
    },  # 500 × the 10 % floor = 50.00
    {"treatment": "repair", "name": "立柱校正", "quantity": "3", "unit_price": "120"},  # 360.00
]


def repair(amount: str) -> list[dict]:
    return [{"treatment": "repair", "name": "修复", "quantity": "1", "unit_price": amount}]


def survey(category: str) -> dict:
    return {
        "category": category,
        "owner_type": "organisation",
        "owner_name": "杭州市园林局",
        "location": "文三路",
        "description": "受损。",
    }


def property_case(firm, reported, **overrides):
    case = firm.assessing_case(
        client_claim_no=f"PR{reported:%m%d%H%M}",
        reported_at=reported,
        accident_time=reported.replace(hour=reported.hour - 1),
        property_loss=True,
        **overrides,
    )
    return case, case.loss_items.get(kind=LossItemKind.PROPERTY)


@pytest.fixture
def cpic():
    return Client.objects.create(
        code="cpic", name="中国太平洋财产保险股份有限公司", short_name="太保"
    )


@pytest.fixture
def items(firm, cpic):
    zhangsan, qianqi = firm.zhangsan, firm.qianqi
    built = {}
    with time_machine.travel(at(3, 2, 9), tick=False) as clock:
        _, p1 = built["P1"] = property_case(firm, at(3, 2, 9))
        services.do_save_property_survey(p1, survey("road_facility"), actor=zhangsan)
        services.do_save_property_sheet(p1, lines=GUARDRAIL, actor=zhangsan)
        services.do_save_negotiation(p1, claimed_amount="8000", actor=zhangsan)

        clock.move_to(at(3, 3, 9))
        case, x = built["X"] = property_case(firm, at(3, 3, 9))
        services.do_save_property_survey(x, survey("building"), actor=zhangsan)
        claims_services.do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=firm.zhaoliu)

        clock.move_to(at(3, 4, 9))
        services.do_save_negotiation(
            p1, claimed_amount="8000", agreed_amount="6000", actor=zhangsan
        )

        clock.move_to(at(3, 5, 10))
        _, p2 = built["P2"] = property_case(firm, at(3, 5, 10), client=cpic, client_branch=None)
        services.do_save_property_survey(p2, survey("road_facility"), actor=zhangsan)
        services.do_save_property_sheet(p2, lines=repair("360"), actor=zhangsan)
        clock.move_to(at(3, 5, 22))
        services.do_save_negotiation(
            p2,
            claimed_amount="500",
            agreed_amount="400",
            above_assessed_reason="物主坚持按原价修复",
            actor=zhangsan,
        )

        clock.move_to(at(3, 10, 9))
        _, p3 = built["P3"] = property_case(firm, at(3, 10, 9))
        services.do_save_property_survey(p3, survey("greenery"), actor=zhangsan)
        services.do_save_property_sheet(p3, lines=repair("500"), actor=qianqi)
        services.do_save_negotiation(p3, claimed_amount="900", actor=zhangsan)

        clock.move_to(at(3, 12, 9))
        built["P4"] = property_case(firm, at(3, 12, 9))

        clock.move_to(at(3, 16, 9))
        services.do_save_negotiation(p3, claimed_amount="900", agreed_amount="450", actor=qianqi)

        clock.move_to(at(4, 1, 9))
        _, p5 = built["P5"] = property_case(firm, at(4, 1, 9))
        services.do_save_property_survey(p5, survey("greenery"), actor=zhangsan)
        services.do_save_property_sheet(p5, lines=repair("100"), actor=zhangsan)
        services.do_save_negotiation(p5, claimed_amount="300", actor=zhangsan)
        clock.move_to(at(4, 2, 9))
        yield built


def table(user, group_by="category", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)):
    return STATISTICS["property"].compute(
        user, Filters(date_from=date_from, date_to=date_to, group_by=group_by)
    )


def by_label(result) -> dict:
    return {row.label: row.values for row in result.rows}


def test_march_by_category_matches_the_hand_count(firm, items):
    result = table(firm.zhoujiu)
    rows = by_label(result)
    assert list(rows) == ["道路设施/护栏", "绿化", "（无）"]  # largest assessed total first
    assert rows["道路设施/护栏"] == {
        "items": 2,
        "assessed_items": 2,
        "negotiated": 2,
        "claimed": D("8500.00"),
        "assessed": D("7020.00"),
        "agreed": D("6400.00"),
        "agreed_ratio": D("0.9117"),  # 6400 / 7020
        "agreement_days": D("1.3"),  # (2 + 0.5) / 2
        "agreement_median": D("1.3"),
    }
    assert rows["绿化"] == {
        "items": 1,
        "assessed_items": 1,
        "negotiated": 1,
        "claimed": D("900.00"),
        "assessed": D("500.00"),
        "agreed": D("450.00"),
        "agreed_ratio": D("0.9000"),
        "agreement_days": D("6.0"),
        "agreement_median": D("6.0"),
    }
    assert rows["（无）"] == {  # P4, never surveyed
        "items": 1,
        "assessed_items": 0,
        "negotiated": 0,
        "claimed": D("0.00"),
        "assessed": D("0.00"),
        "agreed": D("0.00"),
        "agreed_ratio": None,
        "agreement_days": None,
        "agreement_median": None,
    }
    assert result.total.values == {
        "items": 4,  # P1–P4: the cancelled case's item and April's P5 are not counted
        "assessed_items": 3,
        "negotiated": 3,
        "claimed": D("9400.00"),
        "assessed": D("7520.00"),
        "agreed": D("6850.00"),
        "agreed_ratio": D("0.9109"),  # 6850 / 7520
        "agreement_days": D("2.8"),  # (2 + 0.5 + 6) / 3
        "agreement_median": D("2.0"),  # 0.5 [2] 6
    }


def test_the_ratio_compares_the_agreed_items_with_their_own_sheets(firm, items):
    """P5 is assessed (100.00) but not agreed: its sheet stays out of the ratio's base."""
    result = table(firm.zhoujiu, "month", date_to=date(2026, 4, 30))
    rows = by_label(result)
    assert list(rows) == ["2026-03", "2026-04"]
    assert rows["2026-04"]["items"] == 1
    assert (rows["2026-04"]["assessed"], rows["2026-04"]["claimed"]) == (D("100.00"), D("300.00"))
    assert (rows["2026-04"]["negotiated"], rows["2026-04"]["agreed_ratio"]) == (0, None)
    assert rows["2026-03"]["items"] == 4
    assert result.total.values["assessed"] == D("7620.00")
    assert result.total.values["agreed_ratio"] == D("0.9109")


def test_march_by_client_and_by_assessor(firm, items):
    by_client = by_label(table(firm.zhoujiu, "client"))
    assert list(by_client) == ["人保财险", "太保"]
    assert (by_client["人保财险"]["items"], by_client["人保财险"]["assessed"]) == (3, D("7160.00"))
    assert by_client["太保"]["agreed_ratio"] == D("1.1111")  # 400 / 360, agreed above the sheet
    by_person = by_label(table(firm.zhoujiu, "person"))
    assert {label: row["assessed"] for label, row in by_person.items()} == {
        "张三": D("7020.00"),
        "钱七": D("500.00"),
        "（无）": D("0.00"),
    }
    assert by_person["钱七"]["agreement_days"] == D("6.0")


def test_by_week_and_by_branch(firm, items):
    weeks = {row.key: row.values["items"] for row in table(firm.zhoujiu, "week").rows}
    assert weeks == {date(2026, 3, 2): 2, date(2026, 3, 9): 2}
    (hangzhou,) = table(firm.zhoujiu, "branch").rows
    assert (hangzhou.label, hangzhou.values["items"]) == ("杭州分公司", 4)


def test_another_branch_counts_none_of_them(firm, items):
    ningbo = table(firm.wushi)
    assert ningbo.rows == []
    assert ningbo.total.values["items"] == 0
    assert ningbo.total.values["assessed"] == D("0.00")
    outside = STATISTICS["property"].compute(
        firm.zhoujiu, Filters(branch=firm.ningbo, date_from=date(2026, 3, 1), group_by="branch")
    )
    assert outside.total.values["items"] == 0


def test_the_table_costs_the_same_queries_however_many_items(firm, items):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            table(firm.zhoujiu, "person")
        return len(queries.captured_queries)

    table(firm.zhoujiu, "person")  # caches the user's permissions
    # a look for stale marks + the roll-up rows of the branch
    # + the cases shown to it from other branches + the assessors' names + medians per
    # group and of the total
    assert count() == 6
    with time_machine.travel(at(3, 20, 9), tick=False):
        _, item = property_case(firm, at(3, 20, 9))
        services.do_save_property_survey(item, survey("goods"), actor=firm.zhangsan)
        services.do_save_property_sheet(item, lines=repair("80"), actor=firm.qianqi)
        services.do_save_negotiation(item, agreed_amount="80", actor=firm.qianqi)
    table(firm.zhoujiu, "person")  # refreshes the roll-ups the new item changed
    assert count() == 6
    assert table(firm.zhoujiu, "person").total.values["items"] == 5


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_page_renders_the_table_and_the_chart(client, firm, items):
    response = login(client, firm.zhoujiu).get(
        reverse("reports:statistic", args=["property"]), MARCH
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="stats-table-property"' in html
    assert "三者物损统计" in html
    assert '<option value="category" selected>物损类别</option>' in html
    assert "91.1%" in html  # the total 协商/定损
    chart = response.context["chart"]
    assert chart["title"] == "定损金额合计(元)（按物损类别）"
    assert [bar["display"] for bar in chart["bars"]] == ["7,020.00", "500.00", "0.00"]
    assert html.count('class="stats-bar-rect"') == 3


def test_the_export_holds_the_table(client, firm, items):
    response = login(client, firm.zhoujiu).get(
        reverse("reports:export", args=["property"]), {**MARCH, "group_by": "client"}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["三者物损统计", "说明"]
    rows = list(book["三者物损统计"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("委托方", "物损标的数", "已定损", "已协商")
    picc = dict(zip(header, rows[1], strict=True))
    assert picc["委托方"] == "人保财险"
    assert picc["物损标的数"] == 3
    assert D(str(picc["定损金额合计(元)"])) == D("7160")
    total = dict(zip(header, rows[-1], strict=True))
    assert (total["委托方"], total["物损标的数"]) == ("合计", 4)
    assert D(str(total["协商/定损"])) == D("0.9109")
    assert D(str(total["中位报案至协商达成(天)"])) == D("2.0")
    sheet = book["三者物损统计"]
    assert sheet.cell(2, header.index("协商/定损") + 1).number_format == "0.0%"
    assert sheet.cell(2, header.index("协商金额合计(元)") + 1).number_format == "#,##0.00"


def test_the_index_and_the_export_of_every_table_include_it(client, firm, items):
    login(client, firm.zhoujiu)
    index = client.get(reverse("reports:index"), MARCH)
    assert 'data-testid="stats-card-property"' in index.content.decode()
    cards = {card["statistic"].slug: card["total"].values for card in index.context["cards"]}
    assert cards["property"]["items"] == 4
    # The index's grouping (branch) applies where the table has it.
    response = client.get(reverse("reports:export-all"), {**MARCH, "group_by": "branch"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book["三者物损统计"].iter_rows(values_only=True))
    assert rows[0][:2] == ("机构", "物损标的数")
    assert [row[:2] for row in rows[1:]] == [("杭州分公司", 4), ("合计", 4)]


def test_the_rollup_equals_the_items_also_after_another_assessor_saves_the_sheet(firm, items):
    from lossdesk.reports import rollups
    from lossdesk.reports.tests.test_rollups import raw, stored

    rollups.refresh()
    assert stored(rollups.PROPERTY) and stored(rollups.PROPERTY) == raw(rollups.PROPERTY)
    # The sheet changes hands: its row moves from 张三's key to 钱七's (decision 0023).
    _, p1 = items["P1"]
    services.do_save_property_sheet(p1, lines=GUARDRAIL, actor=firm.qianqi)
    rollups.refresh()
    assert stored(rollups.PROPERTY) == raw(rollups.PROPERTY)
    assessors = {key[3] for key in stored(rollups.PROPERTY)}
    assert firm.qianqi.pk in assessors
