"""The injury survey and the medical investigation: the first visit and the treatment's
course, the visit log (an empty bed raises a 挂床住院 flag), the disability appraisals the
assessment's grades must match, and the flags whose confirmation lets the audit deduct for
their reason; through the services, the API and the pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lossdesk.audit.models import PiiAccess
from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import EventType, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.core.errors import Conflict, Incomplete, ServiceError
from lossdesk.core.masking import MEDICAL_MASK
from lossdesk.injury.choices import FlagKind, FlagStatus, TreatmentOutcome
from lossdesk.injury.models import InjurySurvey, InvestigationFlag
from lossdesk.injury.services import investigation as services
from lossdesk.injury.tests.test_services import BILLS, CALCULATOR, save
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(firm):
    # The accident three days ago: the course of treatment has days to run in.
    accident = timezone.now() - timedelta(days=3)
    case = firm.assessing_case(
        injured_persons=1, accident_time=accident, reported_at=accident + timedelta(hours=1)
    )
    return case.loss_items.get(kind=LossItemKind.INJURY)


def accident(item):
    return timezone.localdate(item.case.report.accident_time)


def surveyed(firm, item, **overrides):
    """The first visit on the accident day: admitted the same day, treating."""
    day = accident(item)
    data = {
        "visited_on": day,
        "hospital": "杭州市第一人民医院",
        "department": "骨科",
        "bed": "12",
        "admitted_on": day,
        "diagnosis": "右胫腓骨骨折",
        **overrides,
    }
    return services.do_save_injury_survey(item, data, actor=firm.zhangsan)


def visit(firm, item, **overrides):
    data = {
        "visited_on": accident(item),
        "kind": "patrol",
        "present": True,
        "findings": "伤者在床，输液中",
        **overrides,
    }
    return services.do_record_hospital_visit(item, data, actor=firm.zhangsan)


def flag(firm, item, kind=FlagKind.OVER_TREATMENT, evidence="重复CT检查三次"):
    return services.do_raise_investigation_flag(
        item, {"kind": kind, "evidence": evidence}, actor=firm.zhangsan
    )


def decide(firm, flag, status=FlagStatus.CONFIRMED, note="病历抽查属实"):
    return services.do_decide_investigation_flag(
        flag, status=status, note=note, actor=firm.zhangsan
    )


def bill_cut_for(reason: str) -> list:
    """BILLS with the CT line cut by 150.00 for `reason`."""
    lines = [
        BILLS[0]["lines"][0],
        {**BILLS[0]["lines"][1], "reasonable": "500", "deduction_reason": reason},
    ]
    return [{**BILLS[0], "lines": lines}]


# --- the survey ---------------------------------------------------------------------------


def test_the_survey_keeps_the_first_visit_and_the_course_of_treatment(firm, item):
    survey = surveyed(firm, item)
    assert (survey.hospital, survey.outcome) == ("杭州市第一人民医院", TreatmentOutcome.TREATING)

    later = accident(item) + timedelta(days=1)
    survey = services.do_save_injury_survey(
        item, {"discharged_on": later, "outcome": "recovered"}, actor=firm.zhangsan
    )

    assert survey.diagnosis == "右胫腓骨骨折" and survey.hospital_days == 1
    assert survey.outcome == TreatmentOutcome.RECOVERED
    assert CaseEvent.objects.filter(case=item.case, type=EventType.INJURY_SURVEY_SAVED).count() == 2


def test_survey_dates_must_lie_between_the_accident_and_today_in_order(firm, item):
    day = accident(item)
    with pytest.raises(ServiceError) as refused:
        surveyed(
            firm,
            item,
            visited_on=day - timedelta(days=1),
            discharged_on=day - timedelta(days=1),
            hospital="",
        )
    fields = refused.value.fields
    assert "不能早于出险日期" in fields["visited_on"][0]
    assert fields["discharged_on"] == [
        f"出院日期不能早于出险日期 {day}。",
        "出院日期不能早于入院日期。",
    ]
    assert fields["hospital"] == ["请填写医院。"]
    assert not InjurySurvey.objects.filter(loss_item=item).exists()


def test_an_empty_bed_on_a_visit_raises_a_bed_blocking_flag_tied_to_it(firm, item):
    surveyed(firm, item)
    seen = visit(firm, item, present=False, findings="22:00 查床，床位空置，护士称其回家过夜")

    raised = InvestigationFlag.objects.get(loss_item=item)
    assert (raised.kind, raised.status, raised.visit) == (
        FlagKind.BED_BLOCKING,
        FlagStatus.OPEN,
        seen,
    )
    assert "床位空置" in raised.evidence
    types = CaseEvent.objects.filter(case=item.case).values_list("type", flat=True)
    assert EventType.INVESTIGATION_FLAG_RAISED in types


def test_a_flag_is_decided_once_with_a_reason(firm, item):
    raised = flag(firm, item)
    with pytest.raises(ServiceError) as refused:
        decide(firm, raised, note=" ")
    assert refused.value.fields == {"note": ["请填写认定理由。"]}

    decided = decide(firm, raised, status=FlagStatus.DISMISSED, note="复查为病情需要")

    assert (decided.status, decided.decided_by) == (FlagStatus.DISMISSED, firm.zhangsan)
    with pytest.raises(Conflict) as again:
        decide(firm, decided)
    assert again.value.code == "flag_already_decided"


def test_a_flag_reason_needs_a_confirmed_flag_of_its_kind(firm, item):
    with pytest.raises(ServiceError) as refused:
        save(firm, item, bills=bill_cut_for("over_treatment"))
    assert refused.value.fields["bills.0.lines.1.deduction_reason"] == [
        "核减原因“过度医疗”须有已确认的“过度医疗”疑点（医疗调查）。"
    ]

    raised = flag(firm, item)
    with pytest.raises(ServiceError):  # still open
        save(firm, item, bills=bill_cut_for("over_treatment"))
    decide(firm, raised)

    assessment = save(firm, item, bills=bill_cut_for("over_treatment"))
    assert str(assessment.deducted_total) == "450.00"
    # 与事故无关 is also a reason of its own: an unrelated drug needs no investigation.
    assert save(firm, item, bills=bill_cut_for("unrelated")).deducted_total == 450


def test_the_assessed_grades_are_the_appraised_ones(firm, item):
    day = accident(item)
    for grade, injury in ((9, "右膝关节功能丧失"), (10, "面部瘢痕")):
        services.do_record_disability_appraisal(
            item,
            {
                "injury": injury,
                "grade": grade,
                "institution": "浙江天平司法鉴定所",
                "appraised_on": day,
            },
            actor=firm.zhangsan,
        )

    with pytest.raises(ServiceError) as refused:
        save(firm, item)  # CALCULATOR compensates one 十级
    assert refused.value.fields["disability_grades"] == [
        "伤残等级须与伤残鉴定记录一致：9 级、10 级。"
    ]
    assessment = save(firm, item, calculator={**CALCULATOR, "disability_grades": [10, 9]})
    assert assessment.highest_grade == 9


def test_an_appraisal_grade_is_one_to_ten(firm, item):
    surveyed(firm, item)
    with pytest.raises(ServiceError) as refused:
        services.do_record_disability_appraisal(
            item,
            {"injury": "x", "grade": 11, "institution": "", "appraised_on": "2020-13-01"},
            actor=firm.zhangsan,
        )
    assert set(refused.value.fields) == {"grade", "institution", "appraised_on"}
    assert item.disability_appraisals.count() == 0


def test_an_item_goes_to_review_surveyed_with_every_flag_decided(firm):
    case = firm.assessed_case(injured_persons=1)  # the vehicle assessed
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    save(firm, item)
    with pytest.raises(Incomplete) as refused:
        claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    assert refused.value.fields[f"loss_items.{item.seq}"] == [f"{item.label} 尚未完成人伤查勘。"]

    surveyed(firm, item)
    raised = flag(firm, item)
    with pytest.raises(Incomplete) as refused:
        claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    assert "待认定的医疗调查疑点" in refused.value.fields[f"loss_items.{item.seq}"][0]

    decide(firm, raised, status=FlagStatus.DISMISSED, note="复查为病情需要")
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    case.refresh_from_db()
    assert case.status == "in_review"
    with pytest.raises(Conflict):  # nothing changes on an item in review
        visit(firm, item)


# --- the API ------------------------------------------------------------------------------


def api_url(item, tail: str) -> str:
    return f"{API}/cases/{item.case.case_no}/loss-items/{item.seq}/{tail}"


def test_every_step_through_the_api_with_medical_details_masked_by_position(firm, item):
    api = client_for(firm.zhangsan)
    day = accident(item).isoformat()
    response = api.put(
        api_url(item, "injury-survey"),
        {"visited_on": day, "hospital": "杭州市第一人民医院", "diagnosis": "腰椎横突骨折"},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = api.post(
        api_url(item, "hospital-visits"),
        {"visited_on": day, "kind": "resident", "present": False, "findings": "床位空置"},
        format="json",
    )
    assert response.status_code == 201, response.content
    visit_id = response.json()["id"]
    response = api.post(
        api_url(item, "disability-appraisals"),
        {"injury": "腰椎骨折", "grade": 10, "institution": "鉴定所", "appraised_on": day},
        format="json",
    )
    assert response.status_code == 201 and response.json()["grade"] == 10
    response = api.post(
        api_url(item, "investigation-flags"),
        {"kind": "impersonation", "evidence": "入院照片与身份证不符", "visit": visit_id},
        format="json",
    )
    assert response.status_code == 201
    flag_id = response.json()["id"]
    response = api.put(
        f"{API}/cases/{item.case.case_no}/investigation-flags/{flag_id}/decision",
        {"status": "confirmed", "note": "医院核实为他人冒名"},
        format="json",
    )
    assert response.status_code == 200, response.content

    detail = api.get(f"{API}/cases/{item.case.case_no}").json()
    shown = next(i for i in detail["loss_items"] if i["seq"] == item.seq)
    assert shown["injury_survey"]["diagnosis"] == "腰椎横突骨折"
    assert shown["injury_survey"]["outcome"] == "appraisal"  # the appraisal moved it on
    assert [f["kind"] for f in shown["investigation_flags"]] == ["bed_blocking", "impersonation"]
    confirmed = shown["investigation_flags"][1]
    assert (confirmed["status"], confirmed["deduction_reason"]) == ("confirmed", "impersonation")
    assert shown["hospital_visits"][0]["present"] is False
    logged = PiiAccess.objects.filter(user=firm.zhangsan).values_list("fields", flat=True)
    assert any("medical" in fields for fields in logged)

    # A reviewer without the personal-data right sees the steps, not the medical details.
    hidden = client_for(firm.lisi).get(f"{API}/cases/{item.case.case_no}").json()
    shown = next(i for i in hidden["loss_items"] if i["seq"] == item.seq)
    assert shown["injury_survey"]["diagnosis"] == MEDICAL_MASK
    assert shown["hospital_visits"][0]["findings"] == MEDICAL_MASK
    assert shown["disability_appraisals"][0]["grade"] == 10
    assert not PiiAccess.objects.filter(user=firm.lisi).exists()


def test_the_case_detail_shows_each_lines_parts_on_its_own_items_only(firm, item):
    """The detail loads a line's parts for the line's own items (decisions 0027, 0030): the
    injured person's survey, visits and flags on the injury item, empty on the vehicle;
    and a case without an injured person spends no statement on them."""
    surveyed(firm, item)
    visit(firm, item)
    flag(firm, item)
    api = client_for(firm.zhangsan)
    with CaptureQueriesContext(connection) as mixed:
        detail = api.get(f"{API}/cases/{item.case.case_no}").json()
    items = {i["kind"]: i for i in detail["loss_items"]}
    injured, vehicle = items[LossItemKind.INJURY], items[LossItemKind.INSURED_VEHICLE]
    assert injured["injury_survey"]["hospital"] == "杭州市第一人民医院"
    assert [f["kind"] for f in injured["investigation_flags"]] == ["over_treatment"]
    assert [v["findings"] for v in injured["hospital_visits"]] == ["伤者在床，输液中"]
    assert injured["sheet"] is None
    assert vehicle["injury_survey"] is None and vehicle["injury_assessment"] is None
    assert vehicle["hospital_visits"] == vehicle["investigation_flags"] == []
    assert vehicle["disability_appraisals"] == []

    motor_only = firm.assessing_case()
    with CaptureQueriesContext(connection) as alone:
        assert api.get(f"{API}/cases/{motor_only.case_no}").status_code == 200
    injury_tables = ("injury_injurysurvey", "injury_hospitalvisit", "injury_investigationflag")
    assert any(t in q["sql"] for q in mixed.captured_queries for t in injury_tables)
    assert not any(t in q["sql"] for q in alone.captured_queries for t in injury_tables)
    # The injured item's to-one parts (assessment, person, survey) in one statement (0030).
    to_ones = [
        q["sql"]
        for q in mixed.captured_queries
        if any(t in q["sql"] for t in ("injury_injurysurvey", "injury_injuredperson"))
    ]
    assert len(to_ones) == 1 and "injury_injuryassessment" in to_ones[0]


def test_bad_input_names_the_field_and_saves_nothing(firm, item):
    api = client_for(firm.zhangsan)
    response = api.post(
        api_url(item, "hospital-visits"),
        {"visited_on": "2999-01-01", "kind": "patrol", "findings": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["fields"]["visited_on"] == ["走访日期不能晚于今天。"]
    response = api.post(
        api_url(item, "investigation-flags"), {"kind": "ghost", "evidence": "x"}, format="json"
    )
    assert response.status_code == 400 and "kind" in error_of(response)["fields"]
    assert not item.hospital_visits.exists() and not item.investigation_flags.exists()


# --- the pages ----------------------------------------------------------------------------


def page(item, name="injury:item", **kwargs):
    kwargs = kwargs or {"seq": item.seq}
    return reverse(name, kwargs={"case_no": item.case.case_no, **kwargs})


def test_the_injury_page_shows_the_investigation_and_offers_its_steps(client, firm, item):
    surveyed(firm, item)
    visit(firm, item, present=False, findings="床位空置")
    client.force_login(firm.zhangsan)

    html = client.get(page(item)).content.decode()

    assert "右胫腓骨骨折" in html and "不在床" in html and "挂床住院" in html
    raised = item.investigation_flags.get()
    decision = page(item, "injury:flag-decision", pk=raised.pk)
    assert decision in html and page(item, "injury:visit") in html

    item.case.refresh_from_db()
    version = item.case.version
    response = client.post(decision, {"version": version})
    assert response.status_code == 400  # no decision chosen, no reason
    raised.refresh_from_db()
    assert raised.status == FlagStatus.OPEN
    response = client.post(
        decision, {"version": version, "status": "confirmed", "note": "夜间两次查床均不在"}
    )
    assert response.status_code == 302 and response["Location"] == page(item)
    raised.refresh_from_db()
    assert raised.status == FlagStatus.CONFIRMED


def test_the_assessor_without_the_pii_right_sees_the_medical_details_hidden(client, firm, item):
    surveyed(firm, item)
    client.force_login(firm.qianqi)

    html = client.get(page(item)).content.decode()

    assert "右胫腓骨骨折" not in html and MEDICAL_MASK in html
    assert "杭州市第一人民医院" in html  # where they are is not a medical detail


def test_a_flag_decision_s_reason_stays_off_the_timeline(client, firm, item):
    raised = visit(firm, item, present=False, findings="床位空置").flags.get()
    decide(firm, raised, note="伤者既往抑郁症，夜间回家服药")
    client.force_login(firm.lisi)  # no personal-data right: the reason is medical data

    html = client.get(reverse("claims:case-detail", args=[item.case.case_no])).content.decode()

    assert "已确认医疗调查疑点：挂床住院" in html and "既往抑郁症" not in html


def test_the_migration_takes_the_reasons_off_timelines_written_before(firm, item):
    """injury/0004: an event written with the reason (before decision 0026) loses it, and
    keeps the decision, the flag and the item; other events are left as they are."""
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    name = "0004_flag_reasons_off_the_timeline"
    migration = import_module(f"lossdesk.injury.migrations.{name}")
    historical = MigrationLoader(connection).project_state(("injury", name)).apps
    events = historical.get_model("claims", "CaseEvent").objects  # as the migration sees them
    raised = visit(firm, item, present=False, findings="床位空置").flags.get()
    decide(firm, raised, note="伤者既往抑郁症，夜间回家服药")
    event = CaseEvent.objects.get(type=EventType.INVESTIGATION_FLAG_DECIDED)
    shown = event.message
    events.filter(pk=event.pk).update(message=f"{shown}：伤者既往抑郁症，夜间回家服药")
    others = dict(CaseEvent.objects.exclude(pk=event.pk).values_list("pk", "message"))

    migration.strip_reasons(historical, None)

    event.refresh_from_db()
    assert event.message == shown == f"已确认医疗调查疑点：挂床住院（{item.label}）"
    assert dict(CaseEvent.objects.exclude(pk=event.pk).values_list("pk", "message")) == others
