"""Saving an injury assessment: the person from a checked ID number, the bills as audited
and the compensation exactly as the calculator computes it, saved together or not at all."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossdesk.calc import calculations
from lossdesk.calc.models import CompensationStandard
from lossdesk.claims.choices import LossItemKind
from lossdesk.core.errors import Conflict, ServiceError
from lossdesk.injury.choices import DeductionReason, MedicalCategory, Sex
from lossdesk.injury.models import InjuredPerson, InjuryAssessment, MedicalBill
from lossdesk.injury.services.assessment import do_save_injury_assessment
from lossdesk.rules import id_number, medical_audit

pytestmark = pytest.mark.django_db


def an_id_number(birth: str, sequence: str = "123") -> str:
    first = f"330106{birth}{sequence}"
    return first + id_number.check_digit(first)


PERSON = {
    "name": "李某",
    "relation": "pedestrian",
    "urban": True,
    "residence": "杭州市西湖区",
    "occupation": "职员",
}
BILLS = [
    {
        "invoice_no": "ZJ-0001",
        "hospital": "杭州市第一人民医院",
        "inpatient": True,
        "lines": [
            {
                "category": "drugs",
                "item": "头孢曲松钠",
                "claimed": "1,280.00",
                "reasonable": "980.00",
                "deduction_reason": "non_insured_drug",
            },
            {"category": "examination", "item": "胸部CT", "claimed": "650", "reasonable": "650"},
        ],
    }
]
# TV-9 (../shared/domain/VECTORS.md): 浙江 2012 城镇 30,971 a year; 十级 = 30,971 × 20 × 10%.
TV9_STANDARD = {"urban_disposable_income": "30971", "label": "浙江 2012 城镇"}
CALCULATOR = {
    "outcome": "disability",
    "disability_grades": [10],
    "standard": TV9_STANDARD,
    "hospital_days": 12,
    "hospital_food_daily": "100",
}


@pytest.fixture
def item(firm):
    case = firm.assessing_case(injured_persons=1)
    return case.loss_items.get(kind=LossItemKind.INJURY)


def person_aged(item, years: int) -> dict:
    accident = timezone.localdate(item.case.report.accident_time)
    birth = accident.replace(year=accident.year - years) - timedelta(days=1)
    return {**PERSON, "id_number": an_id_number(f"{birth:%Y%m%d}")}


def on_accident_day(item, bills: list) -> list:
    """The bills, each dated the accident day unless it names its own date (a bill dated
    before the accident is refused unless deducted in full)."""
    day = timezone.localdate(item.case.report.accident_time).isoformat()
    return [{"date": day, **bill} for bill in bills]


def save(firm, item, *, person=None, calculator=CALCULATOR, bills=BILLS, **kwargs):
    return do_save_injury_assessment(
        item,
        person=person or person_aged(item, 40),
        calculator=calculator,
        bills=on_accident_day(item, bills),
        actor=firm.zhangsan,
        **kwargs,
    )


def test_the_assessment_is_the_calculators_result_with_the_audited_medical_total(firm, item):
    assessment = save(firm, item)

    assert assessment.age == 40 and assessment.assessment_no.startswith("RS")
    assert (assessment.claimed_total, assessment.reasonable_total, assessment.deducted_total) == (
        Decimal("1930.00"),
        Decimal("1630.00"),
        Decimal("300.00"),
    )
    # TV-9: 十级 under 60 = 30,971 × 20 × 10% = 61,942.
    assert assessment.items["disability_compensation"]["amount"] == "61942.00"
    assert assessment.items["medical"]["amount"] == "1630.00"
    # Recomputing with the stored inputs gives the stored figures (the calculator's API).
    again = calculations.injury(assessment.inputs)
    assert again["items"] == assessment.items and Decimal(again["total"]) == assessment.total
    assert assessment.hospital_days == 12 and assessment.highest_grade == 10
    person = InjuredPerson.objects.get(loss_item=item)
    assert person.sex == Sex.MALE and person.urban  # 17th digit 3: odd
    bill = MedicalBill.objects.get(assessment=assessment)
    assert [(line.deducted, line.deduction_reason) for line in bill.lines.all()] == [
        (Decimal("300.00"), DeductionReason.NON_INSURED_DRUG),
        (Decimal("0.00"), ""),
    ]
    item.case.refresh_from_db()
    assert item.case.assessed_amount >= assessment.total


def test_every_bad_field_of_person_bills_and_compensation_comes_back_at_once(firm, item):
    bad_id = an_id_number("19800101")[:-1] + ("0" if an_id_number("19800101")[-1] != "0" else "1")
    bills = [
        {
            **BILLS[0],
            "lines": [
                {**BILLS[0]["lines"][0], "reasonable": "1300"},  # above the claimed
                {**BILLS[0]["lines"][1], "reasonable": "600"},  # a deduction without reason
            ],
        }
    ]
    with pytest.raises(ServiceError) as refused:
        save(firm, item, person={**PERSON, "id_number": bad_id, "relation": "x"}, bills=bills)

    fields = refused.value.fields
    assert fields["person.id_number"] == ["身份证号码校验位不正确"]
    assert "person.relation" in fields
    assert "bills.0.lines.0.reasonable" in fields
    assert "bills.0.lines.1.deduction_reason" in fields
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()
    assert not InjuredPerson.objects.filter(loss_item=item).exists()


def test_a_calculator_error_names_its_field(firm, item):
    with pytest.raises(ServiceError) as refused:
        save(firm, item, calculator={**CALCULATOR, "standard": None})
    assert "standard" in refused.value.fields


def test_a_stale_version_is_a_conflict_and_the_saved_assessment_stays(firm, item):
    version = item.case.version
    first = save(firm, item, expected_version=version)
    with pytest.raises(Conflict):
        save(
            firm,
            item,
            calculator={**CALCULATOR, "disability_grades": [9]},
            expected_version=version,
        )
    first.refresh_from_db()
    assert first.highest_grade == 10


def test_an_invoice_number_billed_on_another_case_is_flagged(firm, item):
    save(firm, item)
    other = firm.assessing_case(injured_persons=1).loss_items.get(kind=LossItemKind.INJURY)
    assessment = save(firm, other)
    bill = assessment.bills.get()
    assert bill.duplicate_of == item.case.case_no


def test_saving_again_replaces_the_bills(firm, item):
    save(firm, item)
    one_line = [{**BILLS[0], "lines": BILLS[0]["lines"][1:]}]
    assessment = save(firm, item, bills=one_line)
    assert MedicalBill.objects.filter(assessment=assessment).count() == 1
    assert assessment.deducted_total == Decimal("0.00")


def test_a_vehicle_item_is_not_an_injury_item(firm, item):
    vehicle = item.case.loss_items.get(seq=1)
    with pytest.raises(ServiceError) as refused:
        save(firm, vehicle)
    assert refused.value.code == "loss_item_not_injury"


def test_the_model_choices_are_the_rules():
    assert {c.value for c in MedicalCategory} == set(medical_audit.MedicalCategory)
    assert {(r.value, r.label) for r in DeductionReason} == {
        (r.value, label) for r, label in medical_audit.DEDUCTION_REASON_LABELS.items()
    }
    assert {(s.value, s.label) for s in Sex} == {
        (s.value, label) for s, label in id_number.SEX_LABELS.items()
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    claimed=st.lists(st.integers(min_value=1, max_value=500_000), min_size=1, max_size=5),
    cut=st.lists(st.integers(min_value=0, max_value=99), min_size=5, max_size=5),
)
def test_the_stored_medical_totals_add_up(firm, item, claimed, cut):
    """claimed = reasonable + deducted for any bill, and the compensation's medical item is
    the reasonable total (each example replaces the assessment of the same item)."""
    lines = []
    for amount, percent in zip(claimed, cut, strict=False):
        claimed_amount = Decimal(amount) / 100
        reasonable = (claimed_amount * (100 - percent) / 100).quantize(Decimal("0.01"))
        line = {
            "category": "treatment",
            "item": "治疗",
            "claimed": str(claimed_amount),
            "reasonable": str(reasonable),
        }
        if reasonable < claimed_amount:
            line["deduction_reason"] = "unrelated"
        lines.append(line)
    bills = [{**BILLS[0], "lines": lines}]
    assessment = save(firm, item, bills=bills)
    assert assessment.claimed_total == assessment.reasonable_total + assessment.deducted_total
    assert Decimal(assessment.items["medical"]["amount"]) == assessment.reasonable_total


# --- the standard in force and the split ----------------------------------------------------


def test_the_split_is_the_calculators_on_the_liability_the_survey_decided(firm, item):
    assessment = save(firm, item)  # the survey: full liability (100%), a pedestrian

    accident = timezone.localdate(item.case.report.accident_time)
    expected = calculations.injury_split(assessment.items, accident, True, True, "1.00")
    assert assessment.split == expected
    # TV-9's 十级 61,942 is 死亡伤残 within its limit; 医疗 1,630 + 伙食 1,200 within 18,000.
    assert assessment.split["ctpl_total"] == str(assessment.total)
    assert assessment.split["unpaid"] == "0.00"


def test_the_insured_vehicles_own_passenger_gets_nothing_from_ctpl_or_third_party(firm, item):
    passenger = {**person_aged(item, 40), "relation": "passenger"}

    split = save(firm, item, person=passenger).split

    assert split["third_party"] is False
    assert (split["ctpl_total"], split["commercial"]["payout"]) == ("0.00", "0.00")


def test_a_standard_not_in_force_on_the_accident_date_names_the_dates(firm, item):
    accident = timezone.localdate(item.case.report.accident_time)
    year = accident.year - 1  # in force from 1 January of this year: the accident's row
    for data_year in (year - 1, year):
        CompensationStandard.objects.create(
            province="测试省",
            data_year=data_year,
            effective_from=date(data_year + 1, 1, 1),
            urban_disposable_income="50000",
            source="test",
        )
    stale = {**CALCULATOR, "standard": {"province": "测试省", "year": year - 1}}

    with pytest.raises(ServiceError) as refused:
        save(firm, item, calculator=stale)

    (message,) = refused.value.fields["standard"]
    assert f"适用于 {year}-01-01 至 {year}-12-31 的事故" in message
    assert f"该日适用 测试省 一般地区 {year}年数据（{year + 1}-01-01 起）" in message
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()
    # Named without a year, the row in force is taken.
    assessment = save(firm, item, calculator={**CALCULATOR, "standard": {"province": "测试省"}})
    assert assessment.standard["year"] == year


def test_a_bill_from_before_the_accident_counts_only_deducted_in_full_as_unrelated(firm, item):
    accident = timezone.localdate(item.case.report.accident_time)
    earlier = {**BILLS[0], "date": (accident - timedelta(days=30)).isoformat()}
    with pytest.raises(ServiceError) as refused:
        save(firm, item, bills=[earlier])
    assert list(refused.value.fields) == ["bills.0.date"]
    assert f"早于事故日期 {accident:%Y-%m-%d}" in refused.value.fields["bills.0.date"][0]
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()

    cut = [
        {**line, "reasonable": "0", "deduction_reason": "unrelated"} for line in earlier["lines"]
    ]
    assessment = save(
        firm, item, bills=[*BILLS, {**earlier, "invoice_no": "ZJ-0000", "lines": cut}]
    )
    assert (assessment.claimed_total, assessment.reasonable_total) == (
        Decimal("3860.00"),
        Decimal("1630.00"),
    )
