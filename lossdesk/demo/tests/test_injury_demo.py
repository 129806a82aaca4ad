"""Bodily injury (人伤) in the demo: every injured person of a case that went to review is
assessed through the injury services (a checked ID number, audited bills, the calculator's
compensation on a standard of the calc tables), and the tour branch has an outpatient, a
disability of grade 10 and 9, a death with dependants and a stay cut for bed blocking."""

from django.utils import timezone

from lossdesk.calc import calculations
from lossdesk.claims.choices import CaseStatus, LossItemKind, LossItemStatus
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.pdf import adjusting_report_html
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.demo import builder as demo
from lossdesk.demo import firm as firm_demo
from lossdesk.demo import injury as injury_demo
from lossdesk.demo import plans as plan_demo
from lossdesk.demo import property as property_demo
from lossdesk.demo.tests.test_seed_demo import demo_db, seeded  # noqa: F401 (the shared seed)
from lossdesk.injury.choices import (
    DeductionReason,
    FlagKind,
    FlagStatus,
    Relation,
    TreatmentOutcome,
)
from lossdesk.injury.models import InjuryAssessment
from lossdesk.rules.id_number import age_on, parse_id_number

S = CaseStatus
SUBMITTED = {S.IN_REVIEW, S.IN_SECOND_REVIEW, S.APPROVED, S.REPORT_ISSUED, S.CLOSED}


def injury_items():
    return LossItem.objects.filter(kind=LossItemKind.INJURY).select_related(
        "case__branch", "case__report"
    )


def tour_assessments():
    return InjuryAssessment.objects.filter(loss_item__case__branch__code=plan_demo.TOUR_CITY)


def test_every_showcase_finds_a_case_whatever_the_number_of_cases():
    for n in (14, 30, demo.DEFAULT_CASES):
        builder = demo.DemoBuilder(cases=n)
        targets = builder._targets()
        roles = builder._roles(targets)
        hosts = injury_demo.showcase_hosts(
            targets, roles, set(property_demo.showcase_hosts(targets, roles))
        )
        found = sorted((targets[i], stage, kind) for i, (stage, kind) in hosts.items())
        assert found == sorted(injury_demo.SHOWCASES)


def test_every_injury_item_that_went_to_review_is_assessed(demo_db):  # noqa: F811
    submitted = [
        item
        for item in injury_items()
        if item.case.status in SUBMITTED
        or item.status in (LossItemStatus.SUBMITTED, LossItemStatus.APPROVED)
    ]
    assert {item.case.status for item in submitted} >= {
        S.IN_REVIEW,
        S.APPROVED,
        S.REPORT_ISSUED,
        S.CLOSED,
    }
    for item in submitted:
        assessment = InjuryAssessment.objects.get(loss_item=item)
        assert assessment.total > 0 and assessment.bills.exists()
        item.case.refresh_from_db()
        assert item.case.assessed_amount >= assessment.total


def test_the_tour_branch_has_an_injury_case_in_every_state(demo_db):  # noqa: F811
    tour = injury_items().filter(case__branch__code=plan_demo.TOUR_CITY)
    found = {
        (
            item.case.status,
            injury_demo.ASSESSED
            if InjuryAssessment.objects.filter(loss_item=item).exists()
            else injury_demo.NONE,
        )
        for item in tour
    }
    assert {(state, stage) for state, stage, _ in injury_demo.SHOWCASES} <= found


def test_the_tour_branch_has_each_kind_of_injury(demo_db):  # noqa: F811
    tour = tour_assessments()
    outpatient = tour.filter(outcome="injury", hospital_days=0)
    assert outpatient and not outpatient[0].bills.filter(inpatient=True).exists()
    disabled = tour.filter(outcome="disability", bills__inpatient=True)
    assert {10, 9} <= set(disabled.values_list("highest_grade", flat=True))
    deaths = tour.filter(outcome="death")
    assert deaths and all(a.dependants.count() == 2 for a in deaths)
    assert all("funeral" in a.items and "dependant_living" in a.items for a in deaths)
    blocked = tour.filter(bills__lines__deduction_reason=DeductionReason.BED_BLOCKING).distinct()
    assert blocked
    for assessment in blocked:
        stay = assessment.bills.get(inpatient=True)
        cut = stay.lines.filter(deduction_reason=DeductionReason.BED_BLOCKING)
        assert {line.category for line in cut} == {"bed", "nursing"}
        assert all(line.deducted > 0 and line.note for line in cut)
        assert "挂床" in assessment.remarks


def test_the_course_of_treatment_is_recorded_before_the_assessment(demo_db):  # noqa: F811
    for assessment in InjuryAssessment.objects.select_related("loss_item__injury_survey"):
        item = assessment.loss_item
        survey = item.injury_survey  # every assessed person was first seen in hospital
        assert survey.hospital in {bill.hospital for bill in assessment.bills.all()}
        assert not item.investigation_flags.filter(status=FlagStatus.OPEN).exists()
        appraised = sorted(item.disability_appraisals.values_list("grade", flat=True))
        assert appraised == sorted(assessment.inputs.get("disability_grades", []))
        if assessment.outcome == "death":
            assert survey.outcome == TreatmentOutcome.DEATH
        elif assessment.hospital_days:
            assert survey.discharged_on and survey.admitted_on
    # The bed-blocker was found out of bed on a night patrol; the flag is confirmed and is
    # what the audit's 挂床 cut rests on.
    blocked = tour_assessments().filter(bills__lines__deduction_reason=DeductionReason.BED_BLOCKING)
    for assessment in blocked.distinct():
        flag = assessment.loss_item.investigation_flags.get(kind=FlagKind.BED_BLOCKING)
        assert flag.status == FlagStatus.CONFIRMED and flag.visit.present is False


def test_an_assessment_is_what_the_calculator_computes_from_its_inputs(demo_db):  # noqa: F811
    assessments = InjuryAssessment.objects.select_related("loss_item__case__branch")
    assert assessments
    for assessment in assessments:
        again = calculations.injury(assessment.inputs)
        assert again["total"] == str(assessment.total)
        assert again["items"] == assessment.items
        assert again["items"]["medical"]["amount"] == str(assessment.reasonable_total)
        # The standard of the case branch's province in force on the accident date: by
        # name, or typed in with the figures that row lacks carried over, saying so.
        standard, province = assessment.standard, assessment.loss_item.case.branch.province
        if standard["kind"] == "table":
            assert standard["province"] == province
        else:
            assert standard["label"].startswith(province) and "沿用" in standard["label"]
        # Split by the liability the survey decided.
        survey = assessment.loss_item.case.survey
        assert assessment.split["ctpl"]["at_fault"] == (survey.liability != "none")


def test_the_injured_person_and_the_bills_are_believable(demo_db):  # noqa: F811
    people = {Relation.PEDESTRIAN, Relation.THIRD_PARTY_OCCUPANT, Relation.PASSENGER}
    for assessment in InjuryAssessment.objects.select_related("loss_item__case__report"):
        item = assessment.loss_item
        person = item.injured_person
        accident = timezone.localdate(item.case.report.accident_time)
        parsed = parse_id_number(person.id_number, today=accident)
        assert parsed.birth_date == person.birth_date and parsed.sex.value == person.sex
        assert 18 <= age_on(person.birth_date, accident) == assessment.age <= 75
        assert person.relation in people and person.name
        hospitals = injury_demo.HOSPITALS[
            next(c.code for c in firm_demo.CITIES if c.name in item.case.report.accident_place)
        ]
        for bill in assessment.bills.all():
            assert bill.hospital in hospitals
            assert accident <= bill.bill_date <= timezone.localdate(assessment.updated_at)
            assert bill.claimed_total == bill.reasonable_total + bill.deducted_total
            for line in bill.lines.all():
                assert bool(line.deduction_reason) == (line.deducted > 0)


def test_the_report_tells_of_the_injured_person(demo_db):  # noqa: F811
    for item in injury_items():
        assert "送医" in item.case.report.description
        assert "无人员受伤" not in item.case.report.description


def test_an_issued_report_shows_its_injury_section(demo_db):  # noqa: F811
    case = Case.objects.filter(
        status__in=(S.REPORT_ISSUED, S.CLOSED), loss_items__kind=LossItemKind.INJURY
    ).first()
    html = adjusting_report_html(case, case.adjusting_report)
    assessment = InjuryAssessment.objects.get(loss_item__case=case)
    assert "本报告未核定该标的损失" not in html
    assert assessment.loss_item.injured_person.name in html
    assert all(bill.invoice_no in html for bill in assessment.bills.all())
    assert f"{money(assessment.total)} 元" in html and assessment.standard["label"] in html
