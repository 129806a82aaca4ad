"""KPIs (考核指标) and the closing and review statistics on a small April 2026 built through
the services on a travelling clock; every figure below is worked by hand (Beijing time).

- K1, 杭州, 张三: reported and dispatched 04-01 09:00, arrived 09:10 (10 min); survey done
  10:00, submitted 11:00, approved 04-02 09:00 (李四), report 10:00, closed 04-03 09:00.
- K2, 杭州, 张三: reported and dispatched 04-06 09:00, arrived 09:40 (40 min); survey done
  10:40, submitted 12:40, returned 14:00 (李四: 配件价格偏高), resubmitted 15:00, approved
  04-07 09:00, report 10:00, closed 04-08 09:00.
- K3, 宁波, 王五: reported and dispatched 04-07 09:00, arrived 09:20 (20 min); open.
- K4, 杭州, 张三: reported and dispatched 04-10 09:00, arrived 09:05 (5 min); open.

Registered and dispatched by 赵六 (杭州) or 吴十 (宁波); surveyed, assessed and submitted by
the surveyor; reviewed, issued and closed by 李四. K1 and K2 get a phone callback by 赵六 on
the day after closing: 5 and 3 points.

张三's April: 2 cases closed; cycle 2 d and 2 d → 2.0 d; report → dispatch 0 min; dispatch
→ survey done 1 h and 1 h40 → 1.3 h (80 min mean); survey → submitted 1 h and 2 h → 1.5 h;
review 22 h (11:00 → 09:00) and 20h20 (12:40 → 09:00) → 21.2 h (21 h10 mean); report 1 h;
closing 23 h. People 3 each (赵六, 张三, 李四); hand-offs K1: 赵六→张三→李四 = 2, K2:
赵六→张三→李四→张三→李四 = 4 → 3.00. Return rate 1 of 2 reviewed cases = 50 %. Arrivals
10, 40, 5 → median 10, within 10 min 2 of 3, within 30 min 2 of 3. Callbacks: 2 rated, 1
at 4 or more → 50 %.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType, ReviewDecision
from lossdesk.intake.services.callbacks import do_create_callback, do_record_callback_call
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_dispatch_case,
    do_record_arrival,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.motor import services as motor_services
from lossdesk.quality.models import CaseDeadline
from lossdesk.quality.staff import services as staff_services
from lossdesk.quality.staff.models import MisconductItem
from lossdesk.reports import casefacts, kpis, rollups
from lossdesk.reports.choices import Indicator
from lossdesk.reports.models import ClosedCase, KpiTarget
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.testing import LINES, SURVEY, Firm, client_for, error_of, photo

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
APRIL = date(2026, 4, 1)


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


class World:
    def __init__(self, firm: Firm, traveller):
        self.firm = firm
        self.traveller = traveller
        self.cases: dict = {}

    def to(self, moment):
        self.traveller.move_to(moment)

    def open_case(self, name, day, arrival_minutes, surveyor, dispatcher, plate):
        self.to(at(day, 9))
        data = self.firm.report_data(
            client_claim_no=f"KPI-{name}",
            reported_at=at(day, 9),
            accident_time=at(day, 8),
            plate=plate,
            vin="",
            reporter_phone=f"1390000000{len(self.cases)}",
            driver_phone=f"1390000000{len(self.cases)}",
        )
        case = do_register_report(data, actor=dispatcher)
        do_dispatch_case(case, surveyor=surveyor, actor=dispatcher)
        self.to(at(day, 9, 1))
        do_accept_dispatch(case, actor=surveyor)
        self.to(at(day, 9) + timedelta(minutes=arrival_minutes))
        do_record_arrival(case, actor=surveyor)
        self.cases[name] = case
        return case

    def survey_and_submit(self, case, surveyed, submitted):
        firm = self.firm
        self.to(surveyed - timedelta(minutes=1))
        claims_services.do_save_survey(case, SURVEY, actor=firm.zhangsan)
        claims_services.do_add_attachment(
            case,
            photo(),
            kind=AttachmentKind.PHOTO,
            doc_type=DocumentType.DAMAGE_PHOTO,
            actor=firm.zhangsan,
        )
        self.to(surveyed)
        claims_services.do_complete_survey(case, actor=firm.zhangsan)
        self.to(submitted)
        for item in case.loss_items.all():
            if item.is_vehicle:
                motor_services.do_save_assessment_sheet(
                    item, lines=LINES, repair_shop=firm.repair_shop, actor=firm.zhangsan
                )
        claims_services.do_submit_for_review(case, actor=firm.zhangsan)

    def finish(self, case, approved, rating):
        firm = self.firm
        self.to(approved)
        claims_services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
        self.to(approved + timedelta(hours=1))
        claims_services.do_issue_report(case, actor=firm.lisi)
        self.to(approved + timedelta(days=1))
        claims_services.do_close_case(case, actor=firm.lisi)
        self.to(approved + timedelta(days=2))
        callback = do_create_callback(case, method="phone")
        do_record_callback_call(callback, status="completed", rating=rating, actor=firm.zhaoliu)


@pytest.fixture
def april(firm):
    with time_machine.travel(at(1, 9), tick=False) as traveller:
        world = World(firm, traveller)
        k1 = world.open_case("K1", 1, 10, firm.zhangsan, firm.zhaoliu, "浙A10001")
        world.survey_and_submit(k1, at(1, 10), at(1, 11))
        world.finish(k1, at(2, 9), rating=5)
        k2 = world.open_case("K2", 6, 40, firm.zhangsan, firm.zhaoliu, "浙A10002")
        world.survey_and_submit(k2, at(6, 10, 40), at(6, 12, 40))
        world.to(at(6, 14))
        claims_services.do_review_case(
            k2, decision=ReviewDecision.RETURNED, reason="配件价格偏高", actor=firm.lisi
        )
        world.to(at(6, 15))
        claims_services.do_submit_for_review(k2, actor=firm.zhangsan)
        world.finish(k2, at(7, 9), rating=3)
        world.open_case("K3", 7, 20, firm.wangwu, firm.wushi, "浙B10003")
        world.open_case("K4", 10, 5, firm.zhangsan, firm.zhaoliu, "浙A10004")
        world.to(at(1, 9, month=5))
        yield world


def row_of(table, label):
    return next(row for row in table.rows if row.label == label)


def test_a_surveyors_month_of_kpis_matches_the_hand_computation(april):
    firm = april.firm
    table = kpis.compute(firm.zhoujiu, APRIL, "person")  # 杭州's manager: 杭州 only
    assert [row.label for row in table.rows] == ["张三"]
    values = row_of(table, "张三").values
    assert values["cases"] == 2
    assert values["cycle_days"] == Decimal("2.0")
    assert values["dispatch_minutes"] == Decimal("0.0")
    assert values["survey_hours"] == Decimal("1.3")
    assert values["assessment_hours"] == Decimal("1.5")
    assert values["review_hours"] == Decimal("21.2")
    assert values["report_hours"] == Decimal("1.0")
    assert values["closing_hours"] == Decimal("23.0")
    assert values["people"] == Decimal("3.00")
    assert values["handoffs"] == Decimal("3.00")
    assert values["return_rate"] == Decimal("0.5000")
    assert values["arrived"] == 3
    assert values["arrival_median"] == Decimal("10.0")
    assert values["share_10"] == Decimal("0.6667")
    assert values["share_30"] == Decimal("0.6667")
    assert values["rated"] == 2
    assert values["satisfaction"] == Decimal("0.5000")
    assert values["quality_points"] == 0


def test_quality_points_are_the_final_misconduct_entries_of_the_month(april):
    """Two entries against 张三 in April (8 and 3 points), one finalized; one in May."""
    firm = april.firm

    def register(day: str, points: int, code: str):
        item = MisconductItem.objects.get(code=code)
        data = {
            "person": firm.zhangsan.pk,
            "item": item.pk,
            "points": points,
            "occurred_on": day,
            "description": "虚增配件。",
        }
        return staff_services.do_register_misconduct(data, actor=firm.lisi)

    staff_services.do_finalize_misconduct(register("2026-04-20", 8, "S05"), actor=firm.zhoujiu)
    register("2026-04-21", 6, "S05")  # registered, not final: not counted
    staff_services.do_finalize_misconduct(register("2026-05-01", 5, "S05"), actor=firm.zhoujiu)
    table = kpis.compute(firm.zhoujiu, APRIL, "person")
    assert row_of(table, "张三").values["quality_points"] == 8
    assert table.total.values["quality_points"] == 8
    by_branch = kpis.compute(firm.zhoujiu, APRIL, "branch")
    assert row_of(by_branch, "杭州分公司").values["quality_points"] == 8


def test_the_hand_offs_of_each_case_follow_its_timeline(april):
    rollups.refresh()
    facts = {f.case_id: f for f in ClosedCase.objects.all()}
    k1, k2 = facts[april.cases["K1"].pk], facts[april.cases["K2"].pk]
    assert (k1.people, k1.handoffs, k1.reviews, k1.returns) == (3, 2, 1, 0)
    assert (k2.people, k2.handoffs, k2.reviews, k2.returns) == (3, 4, 2, 1)
    assert april.cases["K3"].pk not in facts  # open: no closed-case row


def test_the_kpi_score_weighs_each_indicator_against_the_target_in_force(april):
    """The seeded targets (from 2026-01-01) apply; a later row for 杭州 replaces them for
    杭州 from its date. 张三 against the defaults: arrival median 10 ≤ 30 → 1; share 10 min
    0.6667 ≥ 0.30 → 1; share 30 min 0.6667 / 0.80 = 0.8333; cycle 2.0 ≤ 10 → 1; hand-offs
    3 ≤ 5.18 → 1; return rate 0.15 / 0.5 = 0.3; overdue rate — (no deadlines); satisfaction
    0.5 / 0.9 = 0.5556. Seven indicators of weight 1: (4 + 0.8333 + 0.3 + 0.5556) / 7 → 81.3."""
    firm = april.firm
    table = kpis.compute(firm.zhoujiu, APRIL, "person")
    assert row_of(table, "张三").values["score"] == Decimal("81.3")
    KpiTarget.objects.create(
        indicator=Indicator.RETURN_RATE,
        branch=firm.hangzhou,
        effective_from=date(2026, 4, 1),
        target=Decimal("0.50"),
        weight=Decimal("2"),
    )
    KpiTarget.objects.create(  # not yet in force in April
        indicator=Indicator.SATISFACTION,
        branch=None,
        effective_from=date(2026, 5, 1),
        target=Decimal("0.50"),
    )
    # Return rate now met (weight 2): (4 + 0.8333 + 2 + 0.5556) / 8 → 92.4.
    table = kpis.compute(firm.zhoujiu, APRIL, "person")
    assert row_of(table, "张三").values["score"] == Decimal("92.4")


def test_by_branch_hq_sees_every_branch_and_a_branch_only_its_own(april):
    firm = april.firm
    hq_manager = Firm.staff("hqmanager", "总部经理", "branch_manager", firm.hq)
    table = kpis.compute(hq_manager, APRIL, "branch")
    assert {row.label for row in table.rows} == {"杭州分公司", "宁波分公司"}
    ningbo = row_of(table, "宁波分公司").values
    assert (ningbo["cases"], ningbo["arrived"], ningbo["arrival_median"]) == (0, 1, Decimal("20.0"))
    assert table.total.values["arrived"] == 4
    assert table.total.values["arrival_median"] == Decimal("15.0")  # 5, 10, 20, 40
    assert table.total.values["cases"] == 2
    own = kpis.compute(firm.zhoujiu, APRIL, "branch")
    assert [row.label for row in own.rows] == ["杭州分公司"]
    assert own.total.values["arrived"] == 3


def test_the_overdue_rate_counts_the_closed_cases_deadlines_met_late(april):
    """K1: dispatch met on time, arrival met 10 minutes after a 5-minute deadline, survey
    never met by the closing: 2 of 3 late; K2 none: 2 / 3."""
    k1 = april.cases["K1"]
    for stage, due, met in (
        ("dispatch", at(1, 9, 10), at(1, 9)),
        ("arrival", at(1, 9, 5), at(1, 9, 10)),
        ("survey", at(1, 9, 30), None),
    ):
        CaseDeadline.objects.create(
            case=k1, stage=stage, allowed="x", started_at=at(1, 9), due_at=due, met_at=met,
            remind_at=at(1, 9),
        )  # fmt: skip
    table = kpis.compute(april.firm.zhoujiu, APRIL, "person")
    assert row_of(table, "张三").values["overdue_rate"] == Decimal("0.6667")


def test_incremental_refresh_equals_a_rebuild(april):
    """The closed cases' rows kept by the stale cases equal the rows recomputed from all."""
    fields = [f.attname for f in ClosedCase._meta.concrete_fields]
    kpis.compute(april.firm.zhoujiu, APRIL, "person")  # refreshes
    kept = sorted(ClosedCase.objects.values_list(*fields))
    casefacts.rebuild()
    assert sorted(ClosedCase.objects.values_list(*fields)) == kept
    assert len(kept) == 2


def test_the_closing_statistics_by_branch_and_line(april):
    firm = april.firm
    filters = Filters(date_from=APRIL, date_to=date(2026, 4, 30), group_by="line")
    table = STATISTICS["closing"].compute(firm.zhoujiu, filters)
    assert [row.label for row in table.rows] == ["车险"]
    values = table.total.values
    assert values["closed"] == 2
    assert values["assessed"] == values["approved"]  # approved as submitted
    assert values["reduction"] == Decimal("0.00")
    assert values["cycle_days"] == Decimal("2.0")
    assert (values["returned"], values["return_rate"]) == (1, Decimal("0.5000"))
    ningbo = Firm.staff("nbmanager", "宁波经理", "branch_manager", firm.ningbo)
    assert STATISTICS["closing"].compute(ningbo, filters).total.values["closed"] == 0


def test_the_review_statistics_by_reviewer_with_the_returns_by_reason(april):
    firm = april.firm
    filters = Filters(date_from=APRIL, date_to=date(2026, 4, 30), group_by="person")
    table = STATISTICS["review"].compute(firm.zhoujiu, filters)
    lisi = row_of(table, "李四").values
    assert (lisi["reviews"], lisi["approved"], lisi["returned"]) == (3, 2, 1)
    assert lisi["return_rate"] == Decimal("0.3333")
    # Two vehicles per case, three reviews: K2's sheets were reviewed twice.
    assert (lisi["cases"], lisi["sheets"]) == (2, 6)
    (reasons,) = table.subtables
    assert [(r.label, r.values["returns"]) for r in reasons.rows] == [("配件价格偏高", 1)]


# --- API, pages and Excel ------------------------------------------------------------


def test_the_kpi_api_answers_the_month_within_the_scope(april):
    response = client_for(april.firm.zhoujiu).get("/api/v1/kpis?month=2026-04&group_by=person")
    assert response.status_code == 200
    body = response.json()
    assert [row["label"] for row in body["rows"]] == ["张三"]
    values = body["rows"][0]["values"]
    assert (values["cases"], values["return_rate"], values["score"]) == (2, "0.5000", "81.3")


@pytest.mark.parametrize("month", ["2026-13", "2026-4", "april", "2026-04-01"])
def test_a_bad_month_is_a_400_in_chinese(april, month):
    response = client_for(april.firm.zhoujiu).get(f"/api/v1/kpis?month={month}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["fields"]["month"] == ["月份格式须为 YYYY-MM，如 2026-11。"]


def test_a_bad_grouping_is_a_400_and_no_statistics_right_is_a_403(april):
    response = client_for(april.firm.zhoujiu).get("/api/v1/kpis?month=2026-04&group_by=day")
    assert response.status_code == 400
    assert "group_by" in error_of(response)["fields"]
    response = client_for(april.firm.zhangsan).get("/api/v1/kpis?month=2026-04")
    assert response.status_code == 403


def test_the_kpi_page_shows_the_chart_table_and_targets_and_exports(client, april):
    client.force_login(april.firm.zhoujiu)
    response = client.get(reverse("reports:kpis"), {"month": "2026-04"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="stats-table-kpis"' in page
    assert "stats-bar-rect" in page
    assert "平均交接次数" in page and "5.18" in page  # the hand-offs target in force
    response = client.get(reverse("reports:kpis-export"), {"month": "2026-04"})
    book = load_workbook(BytesIO(response.content))
    sheet = book["考核指标 2026-04"]
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[0] == "张三"
    assert row[header.index("结案数")] == 2
    assert row[header.index("审核退回率")] == pytest.approx(0.5)
    assert row[header.index("考核得分")] == pytest.approx(81.3)
    assert client.get(reverse("reports:kpis"), {"month": "2026-99"}).status_code == 400


def test_the_api_counts_only_the_callers_branches(april):
    ningbo = Firm.staff("nbmanager", "宁波经理", "branch_manager", april.firm.ningbo)
    body = client_for(ningbo).get("/api/v1/kpis?month=2026-04&group_by=person").json()
    assert [row["label"] for row in body["rows"]] == ["王五"]
    assert body["total"]["values"]["arrived"] == 1
    assert body["total"]["values"]["cases"] == 0


def test_a_target_is_refused_naming_the_field():
    target = KpiTarget(
        indicator=Indicator.RETURN_RATE, effective_from=date(2026, 1, 2), target=Decimal("15")
    )
    with pytest.raises(ValidationError) as exc:
        target.full_clean()
    assert exc.value.message_dict == {
        "target": ["比率类指标的目标值须在 0 到 1 之间（0.85 即 85%）。"]
    }
    target = KpiTarget(
        indicator=Indicator.HANDOFFS,
        effective_from=date(2026, 1, 2),
        target=Decimal("5"),
        weight=Decimal("0"),
    )
    with pytest.raises(ValidationError) as exc:
        target.full_clean()
    assert set(exc.value.message_dict) == {"weight"}
