"""The fee of a case (issue 14 §2): computed by the contracts in force on the 委托日 when the
report is issued or the case cancelled, stored with its inputs and explanation; adjustments
requested by finance and decided by a manager; every step on the timeline."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.billing import services
from lossdesk.billing.choices import AdjustmentStatus, FeeTrigger
from lossdesk.billing.models import CaseFee
from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CancelReason, EventType, ResurveyReason
from lossdesk.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.field.services import do_record_rescue
from lossdesk.quality.models import CalendarDay
from lossdesk.rules.fees import compute_fee
from lossdesk.rules.money import to_fen
from lossdesk.rules.off_hours import NightWindow
from lossdesk.testing import API, SURVEY, Firm, client_for

pytestmark = pytest.mark.django_db

PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}
PER_CASE = {"mode": "per_case", "amount": "200.00", "cancellation_fee": "150.00"}
# Two vehicles (本车 and 三者车), each 4,057.50: the case's motor line is approved at 8,115.00.
HALF_OF_8115 = [{"kind": "repair", "name": "钣金修复", "quantity": "1", "unit_price": "4057.50"}]


def contract(firm, terms, *, line="motor", effective_from=date(2020, 1, 1), **kwargs):
    return services.do_create_fee_contract(
        client=firm.client,
        line=line,
        effective_from=effective_from,
        terms=terms,
        actor=firm.finance,
        **kwargs,
    )


def fee_events(case):
    return list(
        case.events.filter(type__startswith="fee_").order_by("id").values_list("type", flat=True)
    )


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_default_timezone())


# A working Wednesday morning: neither night nor holiday.
WORKING_MORNING = beijing(2026, 9, 30, 10, 0)


@pytest.fixture
def issued(firm):
    contract(firm, PERCENTAGE)
    with time_machine.travel(WORKING_MORNING, tick=False):
        return firm.issued_case(lines=HALF_OF_8115)


def test_issuing_the_report_computes_the_worked_example_fee(firm, issued):
    fee = CaseFee.objects.get(case=issued)
    assert issued.approved_amount == Decimal("8115.00")
    assert (fee.trigger, fee.computed_total, fee.missing_contract) == (
        FeeTrigger.REPORT_ISSUED,
        Decimal("300.00"),
        False,
    )
    assert fee.on_date == timezone.localtime(issued.report.reported_at).date()
    [motor] = fee.components.all()
    assert (motor.line, motor.contract_version, motor.fee) == ("motor", 1, Decimal("300.00"))
    assert motor.terms == PERCENTAGE
    assert motor.inputs == {
        "line": "motor",
        "approved_amount": "8115.00",
        "cancelled": False,
        "cancelled_after_survey": False,
        "distance_km": "0",
        "night": False,
        "rescues": 0,
        "resurveys": 0,
        "loss_items": 2,
    }
    assert "8115.00 × 3% = 243.45，低于最低收费，按最低收费 300.00" in " ".join(motor.explanation)
    assert motor.explanation[1] == (
        "查勘：外勤里程未记录，按 0 公里；到达现场 2026-09-30 10:00：非夜间（22:00–06:00）、"
        "工作日；救援协调 0 次，复勘 0 次"
    )
    assert fee.explanation[-1] == "公估费合计 = 300.00"
    # The stored inputs give the stored fee again.
    assert compute_fee(motor.terms, services.fee_case(motor.inputs)).fee == motor.fee
    assert fee_events(issued) == [EventType.FEE_COMPUTED]
    event = issued.events.get(type=EventType.FEE_COMPUTED)
    assert event.data == {"amount": "300.00"}
    assert "委托日" in event.message and "车险协议第 1 版" in event.message
    assert event.actor == firm.lisi


# The survey's extras (issue 14 §1): per km beyond 30, 100.00 at night or on a holiday,
# 150.00 per rescue coordinated, 80.00 per re-survey, on 200.00 a case.
EXTRAS = {
    "mode": "per_case",
    "amount": "200.00",
    "km_rate": "2.00",
    "km_threshold": "30",
    "night_surcharge": "100.00",
    "rescue_fee": "150.00",
    "resurvey_fee": "80.00",
}


def surveyed_and_issued(firm, arrived_at, *, travel_km=None, rescue=False, resurveys=0, no="1"):
    """A case whose surveyor arrives at `arrived_at` (Beijing), with the survey's extras as
    given (`resurveys`: visits recorded on the following days), then assessed, approved and
    issued now."""
    with time_machine.travel(arrived_at, tick=False):
        case = firm.assessed_case(lines=HALF_OF_8115, client_claim_no=f"PICC-EXTRAS-{no}")
        if rescue:
            rescue_data = {
                "type": "tow",
                "firm": "杭州顺达拖车",
                "start_place": "文一西路",
                "end_place": "杭州XX汽修",
                "distance_km": Decimal("12.5"),
                "fee": Decimal("300.00"),
                "started_at": arrived_at - timedelta(minutes=40),
                "ended_at": arrived_at - timedelta(minutes=10),
            }
            do_record_rescue(case, rescue_data, actor=firm.zhangsan)
    for day in range(1, resurveys + 1):
        claims_services.do_record_resurvey(
            case,
            arrived_at=arrived_at + timedelta(days=day),
            reason=ResurveyReason.HIDDEN_DAMAGE,
            actor=firm.zhangsan,
        )
    if travel_km is not None:
        survey = {**SURVEY, "travel_km": Decimal(travel_km)}
        claims_services.do_save_survey(case, survey, actor=firm.zhangsan)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    claims_services.do_review_case(case, decision="approved", actor=firm.lisi)
    claims_services.do_issue_report(case, actor=firm.lisi)
    [motor] = CaseFee.objects.get(case=case).components.all()
    assert compute_fee(motor.terms, services.fee_case(motor.inputs)).fee == motor.fee
    return motor


@pytest.mark.parametrize(
    ("arrived_at", "night", "says"),
    [
        (beijing(2026, 9, 30, 10, 0), False, "2026-09-30 10:00：非夜间（22:00–06:00）、工作日"),
        (beijing(2026, 9, 30, 23, 10), True, "2026-09-30 23:10：夜间（22:00–06:00）"),
        (beijing(2026, 10, 1, 10, 0), True, "2026-10-01 10:00：节假日（非工作日）"),  # 国庆节
        (beijing(2026, 10, 10, 10, 0), False, "2026-10-10 10:00：非夜间"),  # 调休上班
    ],
)
def test_a_night_or_holiday_arrival_adds_the_night_surcharge(firm, arrived_at, night, says):
    contract(firm, EXTRAS)
    motor = surveyed_and_issued(firm, arrived_at)
    assert motor.inputs["night"] is night
    assert motor.fee == (Decimal("300.00") if night else Decimal("200.00"))
    assert f"到达现场 {says}" in motor.explanation[1]


def test_a_day_off_the_administrator_adds_to_the_calendar_is_a_holiday_for_the_fee(firm):
    # quality's 节假日调整 correct the one calendar (decision 0019): deadlines and fees alike.
    CalendarDay.objects.create(day=date(2026, 9, 30), working=False, name="台风停工")
    contract(firm, EXTRAS)
    motor = surveyed_and_issued(firm, beijing(2026, 9, 30, 10, 0))
    assert (motor.inputs["night"], motor.fee) == (True, Decimal("300.00"))
    assert "2026-09-30 10:00：节假日（非工作日）" in motor.explanation[1]


def test_the_contracts_own_night_window_decides(firm):
    contract(firm, {**EXTRAS, "night_from": "20:00", "night_to": "07:00"})
    motor = surveyed_and_issued(firm, beijing(2026, 9, 30, 21, 0))
    assert (motor.inputs["night"], motor.fee) == (True, Decimal("300.00"))
    assert "夜间（20:00–07:00）" in motor.explanation[1]


def test_a_long_distance_survey_charges_the_km_beyond_the_threshold(firm):
    contract(firm, EXTRAS)
    near = surveyed_and_issued(firm, WORKING_MORNING, travel_km="28.5")
    far = surveyed_and_issued(firm, WORKING_MORNING, travel_km="45", no="2")
    assert (near.inputs["distance_km"], near.fee) == ("28.5", Decimal("200.00"))
    assert (far.inputs["distance_km"], far.fee) == ("45", Decimal("230.00"))
    assert "外勤里程 45.00 公里" in far.explanation[1]
    assert "远程查勘费：(45 − 30) km × 2.00 = 30.00" in far.explanation


def test_a_rescue_coordinated_and_a_re_survey_are_each_charged(firm):
    contract(firm, EXTRAS)
    motor = surveyed_and_issued(firm, WORKING_MORNING, rescue=True, resurveys=1)
    assert (motor.inputs["rescues"], motor.inputs["resurveys"]) == (1, 1)
    assert motor.fee == Decimal("430.00")  # 200 + 150 + 80
    assert "救援协调 1 次，复勘 1 次" in motor.explanation[1]
    assert "救援协调费：1 次救援协调 × 150.00 = 150.00" in motor.explanation
    assert "复勘费：1 次复勘 × 80.00 = 80.00" in motor.explanation


def test_two_re_surveys_recorded_on_the_case_are_charged_twice(firm):
    contract(firm, EXTRAS)
    motor = surveyed_and_issued(firm, WORKING_MORNING, resurveys=2)
    assert motor.inputs["resurveys"] == 2
    assert motor.fee == Decimal("360.00")  # 200 + 2 × 80
    resurvey = next(c for c in motor.components if c["code"] == "resurvey")
    assert resurvey["amount"] == "160.00"
    assert "复勘费：2 次复勘 × 80.00 = 160.00" in motor.explanation
    assert motor.explanation[1].endswith("救援协调 0 次，复勘 2 次")
    # The calculator on the stored terms: 2 re-surveys cost 2 × the contract's amount.
    once = compute_fee(motor.terms, services.fee_case({**motor.inputs, "resurveys": 1})).fee
    assert motor.fee - once == Decimal("80.00")


def test_only_re_surveys_count_other_arrivals_and_events_do_not(firm):
    # A second `arrived` (not a re-survey: the workflow records one arrival a case) is no
    # re-survey; the recorded re-survey is.
    contract(firm, EXTRAS)
    with time_machine.travel(WORKING_MORNING, tick=False):
        case = firm.assessed_case(lines=HALF_OF_8115)
    claims_services.record_event(case, EventType.ARRIVED, firm.zhangsan, "到达现场")
    assert services.survey_facts(case).resurveys == 0
    claims_services.do_record_resurvey(
        case,
        arrived_at=WORKING_MORNING + timedelta(days=1),
        reason=ResurveyReason.CLIENT_REQUEST,
        actor=firm.qianqi,
    )
    assert services.survey_facts(case).resurveys == 1


def test_no_re_survey_after_the_report_so_the_computed_fee_stands(firm):
    contract(firm, EXTRAS)
    motor = surveyed_and_issued(firm, WORKING_MORNING, resurveys=1)
    case = motor.case_fee.case
    with pytest.raises(IllegalTransition):
        claims_services.do_record_resurvey(
            case,
            arrived_at=timezone.now() - timedelta(minutes=5),
            reason=ResurveyReason.CLIENT_REQUEST,
            actor=firm.zhangsan,
        )
    fee = CaseFee.objects.get(case=case)
    assert (fee.computed_total, fee.components.get().inputs["resurveys"]) == (
        Decimal("280.00"),
        1,
    )
    assert fee_events(case) == [EventType.FEE_COMPUTED]


def test_a_line_without_a_contract_is_listed_at_zero_and_flagged(firm):
    case = firm.issued_case()
    fee = CaseFee.objects.get(case=case)
    [motor] = fee.components.all()
    assert (motor.missing_contract, motor.contract, motor.fee) == (True, None, Decimal("0.00"))
    assert "无收费协议" in motor.explanation[0]
    assert fee.missing_contract and fee.computed_total == 0
    assert "无收费协议" in case.events.get(type=EventType.FEE_COMPUTED).message


def test_a_contract_made_in_force_after_the_report_date_is_not_used(firm):
    contract(firm, PERCENTAGE)
    tomorrow = timezone.localdate() + timedelta(days=1)
    contract(firm, {"mode": "per_case", "amount": "999.00"}, effective_from=tomorrow)
    case = firm.issued_case(lines=HALF_OF_8115)
    [motor] = CaseFee.objects.get(case=case).components.all()
    assert (motor.contract_version, motor.fee) == (1, Decimal("300.00"))


def test_the_contract_in_force_on_the_report_date_is_used_not_the_issue_date(firm):
    # Reported three days ago; v2 took over yesterday: v1 still prices the case.
    contract(firm, PERCENTAGE)
    yesterday = timezone.localdate() - timedelta(days=1)
    contract(firm, {"mode": "per_case", "amount": "999.00"}, effective_from=yesterday)
    now = timezone.now()
    case = firm.issued_case(
        lines=HALF_OF_8115,
        accident_time=now - timedelta(days=3, hours=1),
        reported_at=now - timedelta(days=3),
    )
    [motor] = CaseFee.objects.get(case=case).components.all()
    assert (motor.contract_version, motor.fee) == (1, Decimal("300.00"))


def test_cancelled_before_the_survey_earns_nothing(firm):
    contract(firm, PER_CASE)
    case = firm.registered_case()
    claims_services.do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=firm.zhaoliu)
    fee = CaseFee.objects.get(case=case)
    [motor] = fee.components.all()
    assert (fee.trigger, fee.computed_total) == (FeeTrigger.CANCELLED, Decimal("0.00"))
    assert motor.inputs["cancelled"] and not motor.inputs["cancelled_after_survey"]
    assert "注销费：查勘开始前注销：不收费，0.00" in motor.explanation


def test_cancelled_after_the_survey_started_earns_the_cancellation_fee(firm):
    contract(firm, PER_CASE)
    case = firm.surveying_case()
    claims_services.do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=firm.zhaoliu)
    fee = CaseFee.objects.get(case=case)
    [motor] = fee.components.all()
    assert fee.computed_total == Decimal("150.00")
    assert motor.inputs["cancelled_after_survey"] is True
    assert "approved_amount" not in motor.inputs
    assert compute_fee(motor.terms, services.fee_case(motor.inputs)).fee == Decimal("150.00")
    assert fee_events(case) == [EventType.FEE_COMPUTED]


def test_every_line_present_has_its_component(firm):
    contract(firm, PERCENTAGE)
    contract(firm, {"mode": "per_case", "amount": "180.00"}, line="property")
    case = firm.surveying_case(property_loss=True)
    claims_services.do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=firm.zhaoliu)
    fee = CaseFee.objects.get(case=case)
    assert sorted(fee.components.values_list("line", flat=True)) == ["motor", "property"]


def test_the_survey_extras_are_charged_once_on_the_first_line(firm):
    contract(firm, EXTRAS)
    contract(firm, EXTRAS, line="property")
    with time_machine.travel(beijing(2026, 9, 30, 23, 10), tick=False):
        case = firm.surveying_case(property_loss=True)
    survey = {**SURVEY, "travel_km": Decimal("45")}
    claims_services.do_save_survey(case, survey, actor=firm.zhangsan)
    fee = services.compute_case_fee(case, trigger=FeeTrigger.REPORT_ISSUED, actor=firm.lisi)
    parts = {c.line: c for c in fee.components.all()}
    assert parts["motor"].fee == Decimal("330.00")  # 200 + (45 − 30) × 2 + 100 at night
    assert (parts["motor"].inputs["distance_km"], parts["motor"].inputs["night"]) == ("45", True)
    assert parts["property"].fee == Decimal("200.00")
    assert {k: parts["property"].inputs[k] for k in services.SURVEY_EXTRAS} == (
        services.SURVEY_EXTRAS
    )
    assert parts["property"].explanation[1].endswith("已计入车险")
    assert fee.computed_total == Decimal("530.00")


def test_a_failed_report_saves_no_fee(firm, monkeypatch):
    contract(firm, PERCENTAGE)
    case = firm.approved_case(lines=HALF_OF_8115)

    def boom(*args, **kwargs):
        raise RuntimeError("记录事件失败")

    monkeypatch.setattr("lossdesk.billing.services.record_event", boom)
    with pytest.raises(RuntimeError):
        claims_services.do_issue_report(case, actor=firm.lisi)
    assert not CaseFee.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == "approved"


# --------------------------------------------------------------------- adjustments


def test_an_approved_adjustment_changes_the_fee(firm, issued):
    adjustment = services.do_request_fee_adjustment(
        issued, amount="-50.00", reason="委托方要求按协议下浮", actor=firm.finance
    )
    fee = CaseFee.objects.get(case=issued)
    assert fee.adjusted_total == Decimal("300.00")
    assert fee.pending_adjustments == [adjustment]
    services.do_decide_fee_adjustment(
        adjustment, decision="approve", note="同意", actor=firm.zhoujiu
    )
    fee = CaseFee.objects.get(case=issued)
    assert (fee.computed_total, fee.adjusted_total) == (Decimal("300.00"), Decimal("250.00"))
    assert fee_events(issued) == [
        EventType.FEE_COMPUTED,
        EventType.FEE_ADJUSTMENT_REQUESTED,
        EventType.FEE_ADJUSTMENT_APPROVED,
    ]
    assert "250.00" in issued.events.get(type=EventType.FEE_ADJUSTMENT_APPROVED).message


def test_a_refused_adjustment_leaves_the_fee(firm, issued):
    adjustment = services.do_request_fee_adjustment(
        issued, amount="100", reason="加收复勘", actor=firm.finance
    )
    with pytest.raises(ServiceError) as refused:
        services.do_decide_fee_adjustment(adjustment, decision="refuse", actor=firm.zhoujiu)
    assert "note" in refused.value.fields
    services.do_decide_fee_adjustment(
        adjustment, decision="refuse", note="协议无复勘费", actor=firm.zhoujiu
    )
    adjustment.refresh_from_db()
    fee = CaseFee.objects.get(case=issued)
    assert adjustment.status == AdjustmentStatus.REFUSED
    assert fee.adjusted_total == Decimal("300.00") and fee.pending_adjustments == []
    assert fee_events(issued)[-1] == EventType.FEE_ADJUSTMENT_REFUSED
    with pytest.raises(Conflict):
        services.do_decide_fee_adjustment(adjustment, decision="approve", actor=firm.zhoujiu)


def test_the_requester_may_not_decide_their_own_adjustment(firm, issued):
    # A manager who may also request (both rights) still needs someone else to decide.
    firm.zhoujiu.position.permissions.add(Permission.objects.get(codename="add_feeadjustment"))
    manager = type(firm.zhoujiu).objects.get(pk=firm.zhoujiu.pk)
    adjustment = services.do_request_fee_adjustment(
        issued, amount="20", reason="夜间查勘", actor=manager
    )
    with pytest.raises(SelfReview):
        services.do_decide_fee_adjustment(adjustment, decision="approve", actor=manager)
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.PENDING


def test_who_may_request_and_decide(firm, issued):
    with pytest.raises(PermissionDenied):
        services.do_request_fee_adjustment(issued, amount="10", reason="x", actor=firm.lisi)
    adjustment = services.do_request_fee_adjustment(
        issued, amount="10", reason="x", actor=firm.finance
    )
    for outsider in (firm.finance, firm.lisi):
        with pytest.raises(PermissionDenied):
            services.do_decide_fee_adjustment(adjustment, decision="approve", actor=outsider)
    # A branch manager of another branch does not see the case at all.
    ningbo_manager = Firm.staff("nb_manager", "宁波负责人", "branch_manager", firm.ningbo)
    with pytest.raises(NotFound):
        services.do_decide_fee_adjustment(adjustment, decision="approve", actor=ningbo_manager)
    hq_manager = Firm.staff("hq_manager", "总部负责人", "branch_manager", firm.hq)
    services.do_decide_fee_adjustment(adjustment, decision="approve", actor=hq_manager)


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [("0", "x", "amount"), ("abc", "x", "amount"), ("-301", "x", "amount"), ("5", " ", "reason")],
)
def test_a_bad_adjustment_names_its_field_and_saves_nothing(firm, issued, amount, reason, field):
    with pytest.raises(ServiceError) as refused:
        services.do_request_fee_adjustment(issued, amount=amount, reason=reason, actor=firm.finance)
    assert field in refused.value.fields
    assert fee_events(issued) == [EventType.FEE_COMPUTED]


def test_no_adjustment_before_the_fee_is_computed(firm):
    case = firm.approved_case()
    with pytest.raises(Conflict):
        services.do_request_fee_adjustment(case, amount="10", reason="x", actor=firm.finance)


def test_a_case_delegated_whole_gives_the_receiving_branch_its_share(firm, issued):
    from lossdesk.intake.models import Delegation

    Delegation.objects.create(
        case=issued,
        from_branch=firm.hangzhou,
        to_branch=firm.nanjing,
        status="accepted",
        fee_share=Decimal("0.40"),
        requested_by=firm.zhaoliu,
        requested_at=timezone.now(),
    )
    fee = services.compute_case_fee(issued, trigger=FeeTrigger.REPORT_ISSUED, actor=firm.lisi)

    # 3 % of 8,115.00 is below the minimum: 300.00, of which 40 % to 南京.
    assert (fee.computed_total, fee.receiving_branch, fee.receiving_share) == (
        Decimal("300.00"),
        firm.nanjing,
        Decimal("120.00"),
    )
    assert fee.explanation[-1] == (
        f"委托异地：受托机构 {firm.nanjing} 分成 300.00 × 0.40 = 120.00，委托机构留存 180.00"
    )
    body = client_for(firm.zhoujiu).get(f"{API}/cases/{issued.case_no}/fee").json()
    assert (body["receiving_branch"], body["receiving_share"]) == (firm.nanjing.name, "120.00")


def test_an_undelegated_case_or_one_delegated_for_an_item_keeps_the_whole_fee(firm, issued):
    from lossdesk.intake.models import Delegation

    fee = CaseFee.objects.get(case=issued)
    assert (fee.receiving_branch, fee.receiving_share) == (None, Decimal("0.00"))
    body = client_for(firm.zhoujiu).get(f"{API}/cases/{issued.case_no}/fee").json()
    assert (body["receiving_branch"], body["receiving_share"]) == (None, "0.00")

    Delegation.objects.create(
        case=issued,
        loss_item=issued.loss_items.first(),
        from_branch=firm.hangzhou,
        to_branch=firm.nanjing,
        status="accepted",
        fee_share=Decimal("0.40"),
        requested_by=firm.zhaoliu,
        requested_at=timezone.now(),
    )
    fee = services.compute_case_fee(issued, trigger=FeeTrigger.REPORT_ISSUED, actor=firm.lisi)
    assert (fee.receiving_branch, fee.receiving_share) == (None, Decimal("0.00"))


@given(
    resurveys=st.integers(min_value=0, max_value=99),
    resurvey_fee=st.decimals(min_value=0, max_value=10_000, places=2),
    amount=st.decimals(min_value=0, max_value=1_000_000, places=2),
)
def test_each_recorded_re_survey_adds_the_contracts_amount_to_the_fee(
    resurveys, resurvey_fee, amount
):
    # What survey_facts found reaches the calculator as `resurveys`, whatever the count.
    terms = {**PERCENTAGE, "resurvey_fee": str(resurvey_fee)}
    body = {"line": "motor", "approved_amount": str(amount), "loss_items": 1}

    def fee_with(count):
        facts = services.SurveyFacts(travel_km=None, arrived_at=None, rescues=0, resurveys=count)
        extras, said = facts.inputs(NightWindow())
        return compute_fee(terms, services.fee_case({**body, **extras})), said

    none, _ = fee_with(0)
    some, said = fee_with(resurveys)
    assert some.fee == none.fee + to_fen(resurvey_fee * resurveys)
    assert said.endswith(f"复勘 {resurveys} 次")
