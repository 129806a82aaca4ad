"""人伤统计 against figures computed by hand. The injury items are assessed through
injury.do_save_injury_assessment on a travelling clock (Beijing time, 2026), all in
杭州; every person is 40 at the accident (20 years), standard 浙江 2012 城镇 30,971 a year:

| item | client | reported | by | outcome | days | bills: claimed → reasonable (cut) | total |
|---|---|---|---|---|---|---|---|
| I1 | 人保 | 03-02 | 张三 | 十级 | 12 | 一院 1,930 → 1,630 (300 非医保用药) | 64,772.00 |
| I2 | 太保 | 03-05 | 钱七 | injured | 5 | 一院 800 → 700 (100 与事故无关); | 2,700.00 |
| | | | | | | 二院 2,000 → 1,500 (500 挂床期间费用) | |
| I3 | 人保 | 03-10 | 张三 | death | 2 | 一院 5,000 → 5,000 | 654,620.00 |
| I4 | 人保 | 03-10 | — | not assessed (I3's case) | | | |
| I5 | 人保 | 03-12 | 张三 | 九级 | 0 | 二院 300 → 250 (50 非医保用药) | 124,134.00 |
| I6 | 人保 | 03-20 | 钱七 | 十级 | 0 | 二院 100 → 100 | 62,042.00 |
| I7 | 人保 | 04-01 | 张三 | injured | 3 | 一院 200 → 200 | 500.00 |
| X | 人保 | 03-03 | 张三 | 十级, case cancelled: not counted | 12 | 一院 1,930 → 1,630 | |

Totals: 十级 = 30,971 × 20 × 10 % = 61,942; 九级 × 20 % = 123,884; death 30,971 × 20 =
619,420 and 丧葬费 60,000 ÷ 2 = 30,000; 住院伙食补助 100 a day. I1 = 1,630 + 1,200 +
61,942; I2 = 2,200 + 500; I3 = 5,000 + 200 + 619,420 + 30,000; I5 = 250 + 123,884;
I6 = 100 + 61,942; I7 = 200 + 300. 一院 = 杭州市第一人民医院, 二院 = 浙江大学医学院附属第二医院
(an assessment needs at least one bill). Each case also has vehicle items, not counted.
"""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CancelReason, LossItemKind
from lossdesk.injury.services import investigation
from lossdesk.injury.services.assessment import do_save_injury_assessment
from lossdesk.injury.tests.test_services import on_accident_day
from lossdesk.org.models import Client
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.reports.tests.conftest import at
from lossdesk.rules import id_number
from lossdesk.testing import API, PASSWORD, client_for

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
FIRST = "杭州市第一人民医院"
SECOND = "浙江大学医学院附属第二医院"
STANDARD = {"urban_disposable_income": "30971", "label": "浙江 2012 城镇"}


def line(amount: str, reasonable: str | None = None, reason: str = "") -> dict:
    return {
        "category": "treatment",
        "item": "治疗",
        "claimed": amount,
        "reasonable": reasonable or amount,
        "deduction_reason": reason,
    }


def bill(invoice_no: str, hospital: str, *lines: dict) -> dict:
    return {
        "invoice_no": invoice_no,
        "hospital": hospital,
        "inpatient": True,
        "lines": list(lines),
    }


def calculator(outcome: str, days: int = 0, grades=()) -> dict:
    # A death needs the yearly average wage for 丧葬费 (half a year's).
    standard = {**STANDARD, "average_wage": "60000"} if outcome == "death" else STANDARD
    return {
        "outcome": outcome,
        "disability_grades": list(grades),
        "standard": standard,
        "hospital_days": days,
        "hospital_food_daily": "100",
    }


def person_aged_40(item) -> dict:
    accident = timezone.localdate(item.case.report.accident_time)
    birth = accident.replace(year=accident.year - 40) - timedelta(days=1)
    first = f"330106{birth:%Y%m%d}123"
    return {
        "name": "李某",
        "relation": "pedestrian",
        "id_number": first + id_number.check_digit(first),
    }


def injury_case(firm, reported, injured=1, **overrides):
    case = firm.assessing_case(
        client_claim_no=f"RS{reported:%m%d%H%M}",
        reported_at=reported,
        accident_time=reported - timedelta(hours=1),
        injured_persons=injured,
        **overrides,
    )
    return case, list(case.loss_items.filter(kind=LossItemKind.INJURY).order_by("seq"))


def assess(item, actor, calc, bills=()):
    return do_save_injury_assessment(
        item,
        person=person_aged_40(item),
        calculator=calc,
        bills=on_accident_day(item, bills),
        actor=actor,
    )


@pytest.fixture
def cpic():
    return Client.objects.create(
        code="cpic", name="中国太平洋财产保险股份有限公司", short_name="太保"
    )


@pytest.fixture
def items(firm, cpic):
    zhangsan, qianqi = firm.zhangsan, firm.qianqi
    i1_bill = bill(
        "A-1", FIRST, line("1280", "980", "non_insured_drug"), line("650")
    )  # 1,930 → 1,630
    with time_machine.travel(at(3, 2, 9), tick=False) as clock:
        _, (i1,) = injury_case(firm, at(3, 2, 9))
        assess(i1, zhangsan, calculator("disability", 12, [10]), [i1_bill])

        clock.move_to(at(3, 3, 9))
        case, (x,) = injury_case(firm, at(3, 3, 9))
        assess(x, zhangsan, calculator("disability", 12, [10]), [{**i1_bill, "invoice_no": "X-1"}])
        claims_services.do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=firm.zhaoliu)

        clock.move_to(at(3, 5, 10))
        _, (i2,) = injury_case(firm, at(3, 5, 10), client=cpic, client_branch=None)
        # The 挂床 cut rests on a confirmed flag of the medical investigation.
        flag = investigation.do_raise_investigation_flag(
            i2, {"kind": "bed_blocking", "evidence": "夜间查床不在"}, actor=qianqi
        )
        investigation.do_decide_investigation_flag(
            flag, status="confirmed", note="两次查床均不在", actor=qianqi
        )
        assess(
            i2,
            qianqi,
            calculator("injury", 5),
            [
                bill("B-1", FIRST, line("800", "700", "unrelated")),
                bill("B-2", SECOND, line("2000", "1500", "bed_blocking")),
            ],
        )

        clock.move_to(at(3, 10, 9))
        _, (i3, _i4) = injury_case(firm, at(3, 10, 9), injured=2)
        assess(i3, zhangsan, calculator("death", 2), [bill("C-1", FIRST, line("5000"))])

        clock.move_to(at(3, 12, 9))
        _, (i5,) = injury_case(firm, at(3, 12, 9))
        assess(
            i5,
            zhangsan,
            calculator("disability", 0, [9]),
            [bill("E-1", SECOND, line("300", "250", "non_insured_drug"))],
        )

        clock.move_to(at(3, 20, 9))
        _, (i6,) = injury_case(firm, at(3, 20, 9))
        assess(i6, qianqi, calculator("disability", 0, [10]), [bill("G-1", SECOND, line("100"))])

        clock.move_to(at(4, 1, 9))
        _, (i7,) = injury_case(firm, at(4, 1, 9))
        assess(i7, zhangsan, calculator("injury", 3), [bill("H-1", FIRST, line("200"))])
        clock.move_to(at(4, 2, 9))
        yield


def table(user, group_by="branch", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)):
    return STATISTICS["injury"].compute(
        user, Filters(date_from=date_from, date_to=date_to, group_by=group_by)
    )


def by_label(result) -> dict:
    return {row.label: row.values for row in result.rows}


MARCH_TOTAL = {
    "items": 6,  # I1–I6: the cancelled case's item and April's I7 are not counted
    "open_items": 6,  # none approved yet
    "assessed_items": 5,
    "visits": 0,
    "open_flags": 0,
    "confirmed_flags": 1,  # I2's 挂床住院
    "assess_days": D("0.0"),  # each assessed as it was reported (the clock stands still)
    "hospital_days": 19,  # 12 + 5 + 2
    "bills": 6,
    "claimed": D("10130.00"),  # 1,930 + 2,800 + 5,000 + 300 + 100
    "reasonable": D("9180.00"),
    "deducted": D("950.00"),
    "deduction_rate": D("0.0938"),  # 950 / 10,130
    "compensation": D("908268.00"),
    "average": D("181653.60"),  # / 5 assessed
    "disability": 3,
    "death": 1,
}


def test_march_by_branch_matches_the_hand_count(firm, items):
    result = table(firm.zhoujiu)
    (hangzhou,) = result.rows
    assert hangzhou.label == "杭州分公司"
    assert hangzhou.values == MARCH_TOTAL
    assert result.total.values == MARCH_TOTAL


def test_by_grade_shows_the_average_compensation_of_each_grade(firm, items):
    rows = by_label(table(firm.zhoujiu, "grade"))
    assert list(rows) == ["九级", "十级", "（无）"]  # gravest first, no grade last
    assert (rows["九级"]["items"], rows["九级"]["average"]) == (1, D("124134.00"))
    assert rows["十级"] == {
        "items": 2,  # I1, I6
        "open_items": 2,
        "assessed_items": 2,
        "visits": 0,
        "open_flags": 0,
        "confirmed_flags": 0,
        "assess_days": D("0.0"),
        "hospital_days": 12,
        "bills": 2,
        "claimed": D("2030.00"),
        "reasonable": D("1730.00"),
        "deducted": D("300.00"),
        "deduction_rate": D("0.1478"),  # 300 / 2,030
        "compensation": D("126814.00"),
        "average": D("63407.00"),
        "disability": 2,
        "death": 0,
    }
    # I2 (injured), I3 (death) and I4 (not assessed): the average is over the two assessed.
    none = rows["（无）"]
    assert (none["items"], none["assessed_items"], none["bills"]) == (3, 2, 3)
    assert (none["compensation"], none["average"], none["death"]) == (
        D("657320.00"),
        D("328660.00"),
        1,
    )


def test_by_client_by_assessor_and_by_week(firm, items):
    by_client = by_label(table(firm.zhoujiu, "client"))
    assert list(by_client) == ["人保财险", "太保"]
    assert by_client["太保"]["bills"] == 2
    assert by_client["太保"]["deduction_rate"] == D("0.2143")  # 600 / 2,800
    assert by_client["人保财险"]["compensation"] == D("905568.00")
    by_person = by_label(table(firm.zhoujiu, "person"))
    assert {label: row["compensation"] for label, row in by_person.items()} == {
        "张三": D("843526.00"),  # I1 + I3 + I5
        "钱七": D("64742.00"),  # I2 + I6
        "（无）": D("0.00"),  # I4
    }
    assert by_person["（无）"]["average"] is None
    weeks = {row.key: row.values["items"] for row in table(firm.zhoujiu, "week").rows}
    assert weeks == {date(2026, 3, 2): 2, date(2026, 3, 9): 3, date(2026, 3, 16): 1}
    months = by_label(table(firm.zhoujiu, "month", date_to=date(2026, 4, 30)))
    assert list(months) == ["2026-03", "2026-04"]
    assert (months["2026-04"]["items"], months["2026-04"]["compensation"]) == (1, D("500.00"))
    assert months["2026-04"]["deduction_rate"] == D("0.0000")


def test_the_deductions_by_reason_and_by_hospital(firm, items):
    reasons, hospitals = table(firm.zhoujiu).subtables
    assert reasons.title == "按核减原因"
    assert [(r.label, r.values["lines"], r.values["deducted"]) for r in reasons.rows[:3]] == [
        ("挂床期间费用", 1, D("500.00")),
        ("非医保用药", 2, D("350.00")),
        ("与事故无关", 1, D("100.00")),
    ]
    assert [r.values["share"] for r in reasons.rows[:3]] == [D("0.5263"), D("0.3684"), D("0.1053")]
    assert all(r.values["deducted"] == 0 for r in reasons.rows[3:])
    assert reasons.total.values == {"lines": 4, "deducted": D("950.00"), "share": D("1.0000")}
    assert hospitals.title == "按医院"
    assert {r.label: r.values for r in hospitals.rows} == {
        FIRST: {  # I1, I2's first bill and I3 (the cancelled case's bill is not counted)
            "bills": 3,
            "claimed": D("7730.00"),
            "deducted": D("400.00"),
            "rate": D("0.0517"),
        },
        SECOND: {"bills": 3, "claimed": D("2400.00"), "deducted": D("550.00"), "rate": D("0.2292")},
    }
    assert [r.label for r in hospitals.rows] == [FIRST, SECOND]  # most claimed first
    assert hospitals.total.values == {
        "bills": 6,
        "claimed": D("10130.00"),
        "deducted": D("950.00"),
        "rate": D("0.0938"),
    }


def test_another_branch_counts_none_of_them(firm, items):
    ningbo = table(firm.wushi)
    assert ningbo.rows == []
    assert ningbo.total.values["items"] == 0
    assert ningbo.total.values["compensation"] == D("0.00")
    reasons, hospitals = ningbo.subtables
    assert reasons.total.values["deducted"] == D("0.00")
    assert hospitals.rows == [] and hospitals.total.values["bills"] == 0
    outside = STATISTICS["injury"].compute(
        firm.zhoujiu, Filters(branch=firm.ningbo, date_from=date(2026, 3, 1), group_by="branch")
    )
    assert outside.total.values["items"] == 0 and outside.subtables[1].rows == []


def test_the_table_costs_the_same_queries_however_many_items(firm, items):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            table(firm.zhoujiu, "person")
        return len(queries.captured_queries)

    table(firm.zhoujiu, "person")  # caches the user's permissions
    # a look for stale marks + the roll-up rows of the branch
    # + the cases shown to it from other branches + the assessors' names + by reason +
    # by hospital
    assert count() == 6
    with time_machine.travel(at(3, 21, 9), tick=False):
        _, (item,) = injury_case(firm, at(3, 21, 9))
        assess(
            item,
            firm.qianqi,
            calculator("injury", 1),
            [bill("F-1", "杭州市中医院", line("90")), bill("F-2", FIRST, line("10"))],
        )
    table(firm.zhoujiu, "person")  # refreshes the roll-ups the new item changed
    assert count() == 6
    assert table(firm.zhoujiu, "person").total.values["bills"] == 8


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_page_renders_the_table_the_chart_and_the_subtables(client, firm, items):
    response = login(client, firm.zhoujiu).get(
        reverse("reports:statistic", args=["injury"]), {**MARCH, "group_by": "grade"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="stats-table-injury"' in html
    assert 'data-testid="stats-table-injury-deduction-reasons"' in html
    assert 'data-testid="stats-table-injury-hospitals"' in html
    assert '<option value="grade" selected>伤残等级</option>' in html
    assert "908,268.00" in html and "9.4%" in html  # the total 赔偿合计 and 核减率
    chart = response.context["chart"]
    assert chart["title"] == "赔偿合计(元)（按伤残等级）"
    assert [bar["display"] for bar in chart["bars"]] == ["124,134.00", "126,814.00", "657,320.00"]
    (_, reasons_chart), _ = response.context["subtables"]
    assert reasons_chart["bars"][0]["full_label"] == "挂床期间费用"


def test_the_export_holds_the_table_and_the_subtables(client, firm, items):
    response = login(client, firm.zhoujiu).get(
        reverse("reports:export", args=["injury"]), {**MARCH, "group_by": "client"}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["人伤统计", "按核减原因", "按医院", "说明"]
    rows = list(book["人伤统计"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("委托方", "人伤标的数", "未核损", "已定损")
    cpic = dict(zip(header, rows[2], strict=True))
    assert (cpic["委托方"], cpic["票据数"]) == ("太保", 2)
    assert D(str(cpic["赔偿合计(元)"])) == D("2700")
    total = dict(zip(header, rows[-1], strict=True))
    assert (total["委托方"], total["人伤标的数"], total["死亡"]) == ("合计", 6, 1)
    assert D(str(total["核减率"])) == D("0.0938")
    assert D(str(total["平均赔偿(元)"])) == D("181653.60")
    sheet = book["人伤统计"]
    assert sheet.cell(2, header.index("核减率") + 1).number_format == "0.0%"
    hospitals = list(book["按医院"].iter_rows(values_only=True))
    assert hospitals[0] == ("医院", "票据数", "申报合计(元)", "核减合计(元)", "核减率")
    assert hospitals[1][:2] == (FIRST, 3)


def test_by_stage_shows_where_each_injured_person_stands(firm):
    """One person at each stage of the work, from not yet visited to in review."""
    zhangsan = firm.zhangsan
    with time_machine.travel(at(5, 4, 9), tick=False) as clock:
        _, items = injury_case(firm, at(5, 4, 9), injured=5)
        _unseen, treating, appraising, recovered, assessed = items
        day = at(5, 4, 9).date()

        def survey(item, outcome, on=day):
            investigation.do_save_injury_survey(
                item,
                {"visited_on": on, "hospital": FIRST, "diagnosis": "骨折", "outcome": outcome},
                actor=zhangsan,
            )

        survey(treating, "treating")
        investigation.do_record_hospital_visit(
            treating,
            {"visited_on": day, "kind": "patrol", "present": False, "findings": "不在床"},
            actor=zhangsan,
        )
        survey(appraising, "appraisal")
        survey(recovered, "recovered")
        survey(assessed, "recovered")
        clock.move_to(at(5, 6, 9))  # assessed two days after the report
        assess(assessed, zhangsan, calculator("injury", 0), [bill("S-1", FIRST, line("100"))])

        case = firm.assessed_case(
            injured_persons=1, reported_at=at(5, 6, 9), accident_time=at(5, 6, 8)
        )
        (submitted,) = case.loss_items.filter(kind=LossItemKind.INJURY)
        survey(submitted, "recovered", at(5, 6, 9).date())
        assess(submitted, zhangsan, calculator("injury", 0), [bill("S-2", FIRST, line("100"))])
        claims_services.do_submit_for_review(case, actor=zhangsan)

    result = table(firm.zhoujiu, "stage", date(2026, 5, 1), date(2026, 5, 31))

    rows = by_label(result)
    assert list(rows) == [
        "待人伤查勘",
        "治疗跟踪中",
        "伤残鉴定中",
        "待人伤定损",
        "已定损待提交",
        "审核中",
    ]
    assert all(row["items"] == 1 for row in rows.values())
    assert (rows["治疗跟踪中"]["visits"], rows["治疗跟踪中"]["open_flags"]) == (1, 1)
    assert rows["已定损待提交"]["assess_days"] == D("2.0")
    assert rows["审核中"]["open_items"] == 1 and result.total.values["items"] == 6


def test_the_api_answers_the_same_figures(firm, items):
    response = client_for(firm.zhoujiu).get(
        f"{API}/statistics/injury", {**MARCH, "group_by": "grade"}
    )
    assert response.status_code == 200
    data = response.json()
    assert [row["label"] for row in data["rows"]] == ["九级", "十级", "（无）"]
    assert data["rows"][0]["key"] == "9"
    assert data["rows"][1]["values"]["average"] == "63407.00"
    total = data["total"]["values"]
    assert total["compensation"] == "908268.00" and total["average"] == "181653.60"
    assert (total["items"], total["bills"], total["deduction_rate"]) == (6, 6, "0.0938")
    reasons, hospitals = data["subtables"]
    assert reasons["rows"][0]["values"] == {"lines": 1, "deducted": "500.00", "share": "0.5263"}
    assert hospitals["total"]["values"]["claimed"] == "10130.00"


def test_the_rollup_equals_the_items_also_after_another_assessor_saves(firm, items):
    from django.contrib.auth.models import Permission

    from lossdesk.claims.choices import CaseStatus
    from lossdesk.claims.models import LossItem
    from lossdesk.reports import rollups
    from lossdesk.reports.tests.test_rollups import raw, stored

    rollups.refresh()
    assert stored(rollups.INJURY) and stored(rollups.INJURY) == raw(rollups.INJURY)
    # 张三's assessment saved again by 钱七: the item's row changes key (decision 0023). Saving
    # bill lines needs 查看个人敏感信息 (decision 0026), which 钱七's position gets here.
    item = (
        LossItem.objects.filter(injury_assessment__assessor=firm.zhangsan)
        .exclude(case__status=CaseStatus.CANCELLED)
        .first()
    )
    pii = Permission.objects.get(content_type__app_label="org", codename="view_pii")
    firm.qianqi.position.permissions.add(pii)
    qianqi = type(firm.qianqi).objects.get(pk=firm.qianqi.pk)  # a fresh permission cache
    assess(item, qianqi, calculator("injury", 3), [bill("Z-1", FIRST, line("200"))])
    rollups.refresh()
    assert stored(rollups.INJURY) == raw(rollups.INJURY)
