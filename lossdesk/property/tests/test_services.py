"""The property services: a property item goes from survey to approved through the same
review path as vehicles; the sheet is the rule's arithmetic, saved with the rule it used."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import LossItemKind, LossItemStatus, ReviewDecision
from lossdesk.core.errors import Conflict, IllegalTransition, Incomplete, ServiceError
from lossdesk.property import services
from lossdesk.property.choices import Treatment
from lossdesk.property.models import DepreciationRule, PropertySheet
from lossdesk.rules import property as rule

pytestmark = pytest.mark.django_db

# The worked examples: 6,250.00 + 50.00 + 360.00.
WORKED = [
    {
        "treatment": "replace",
        "name": "波形护栏板",
        "unit": "块",
        "quantity": "2",
        "unit_price": "5000.00",
        "months_used": "36",
        "useful_life_years": "8",
    },
    {
        "treatment": "compensate",
        "name": "路灯控制箱",
        "quantity": "1",
        "unit_price": "500",
        "months_used": 120,
        "useful_life_years": "5",
    },
    {"treatment": "repair", "name": "立柱校正", "quantity": "3", "unit_price": "120"},
]
SURVEY = {
    "category": "road_facility",
    "owner_type": "organisation",
    "owner_name": "杭州市公路管理局",
    "owner_phone": "0571-87654321",
    "location": "文三路与学院路交叉口东侧",
    "description": "护栏板两块撞弯，立柱三根倾斜。",
}


def property_item(case):
    return case.loss_items.get(kind=LossItemKind.PROPERTY)


@pytest.fixture
def item(firm):
    return property_item(firm.assessing_case(property_loss=True))


def assessed(firm, item, lines=WORKED):
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    return services.do_save_property_sheet(item, lines=lines, actor=firm.zhangsan)


def test_the_worked_examples_make_the_sheet_and_feed_the_case(firm, item):
    sheet = assessed(firm, item)

    lines = list(sheet.lines.order_by("seq"))
    assert [line.amount for line in lines] == [
        Decimal("6250.00"),
        Decimal("50.00"),
        Decimal("360.00"),
    ]
    assert [line.depreciation_rate for line in lines] == [
        Decimal("0.625"),
        Decimal("0.10"),
        Decimal("1"),
    ]
    assert lines[1].floored and not lines[0].floored
    assert sheet.total == Decimal("6660.00") and sheet.sheet_no.startswith("WS")
    assert sheet.depreciation_floor == Decimal("0.10")
    item.case.refresh_from_db()
    vehicles = sum(
        (i.sheet.total for i in item.case.loss_items.filter(sheet__isnull=False)), Decimal(0)
    )
    assert item.case.assessed_amount == vehicles + Decimal("6660.00")


def test_a_property_item_goes_from_survey_to_approved_on_the_same_review_path(firm):
    case = firm.assessed_case(property_loss=True)  # vehicles assessed
    item = property_item(case)

    with pytest.raises(Incomplete) as refused:
        claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    assert refused.value.fields == {f"loss_items.{item.seq}": ["三者物损 尚未完成物损查勘。"]}

    assessed(firm, item)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    item.refresh_from_db()
    assert item.status == LossItemStatus.SUBMITTED
    # The sheet's assessor may not review it: the same separation of duties as vehicles.
    assert claims_services.review_refusal(case, firm.zhangsan) is not None

    claims_services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    case.refresh_from_db()
    item.refresh_from_db()
    assert item.status == LossItemStatus.APPROVED
    assert case.approved_amount == case.assessed_amount
    assert case.approved_amount >= Decimal("6660.00")


def test_a_returned_case_reopens_the_property_sheet(firm):
    case = firm.assessed_case(property_loss=True)
    item = property_item(case)
    assessed(firm, item)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)

    with pytest.raises(IllegalTransition):
        services.do_save_property_sheet(item, lines=WORKED, actor=firm.zhangsan)
    claims_services.do_review_case(
        case, decision=ReviewDecision.RETURNED, reason="护栏单价偏高", actor=firm.lisi
    )
    sheet = services.do_save_property_sheet(item, lines=WORKED[:1], actor=firm.zhangsan)
    assert sheet.total == Decimal("6250.00")


def test_bad_lines_name_every_bad_cell_and_save_nothing(firm, item):
    bad = [
        {**WORKED[0], "months_used": "-1"},
        {**WORKED[1], "useful_life_years": "0"},
        {**WORKED[2], "salvage_value": "400"},
        {**WORKED[0], "treatment": "burn"},
        {**WORKED[0], "purchase_date": "2099-01-01", "months_used": ""},
    ]
    with pytest.raises(ServiceError) as refused:
        services.do_save_property_sheet(item, lines=bad, actor=firm.zhangsan)

    fields = refused.value.fields
    assert set(fields) == {
        "lines.0.months_used",
        "lines.1.useful_life_years",
        "lines.2.salvage_value",
        "lines.3.treatment",
        "lines.4.purchase_date",
    }
    assert fields["lines.0.months_used"] == ["已使用月数不能为负数。"]
    assert fields["lines.2.salvage_value"] == ["残值不能大于本行金额 360.00"]
    assert not PropertySheet.objects.filter(loss_item=item).exists()


def test_months_used_may_come_from_the_purchase_date(firm, item):
    accident = timezone.localdate(item.case.report.accident_time)
    bought = accident.replace(year=accident.year - 3)
    line = {**WORKED[0], "months_used": "", "purchase_date": bought.isoformat()}
    sheet = services.do_save_property_sheet(item, lines=[line], actor=firm.zhangsan)
    saved = sheet.lines.get()
    assert saved.months_used == 36 and saved.purchase_date == bought
    assert saved.amount == Decimal("6250.00")


def test_months_between_counts_whole_months():
    assert services.months_between(date(2023, 1, 31), date(2023, 2, 28)) == 0
    assert services.months_between(date(2023, 1, 15), date(2024, 1, 15)) == 12
    assert services.months_between(date(2023, 1, 15), date(2024, 1, 14)) == 11


def test_the_clients_dated_rule_sets_the_floor_shown_on_the_sheet(firm, item):
    accident = timezone.localdate(item.case.report.accident_time)
    DepreciationRule.objects.create(effective_from=accident - timedelta(days=400), floor="0.05")
    DepreciationRule.objects.create(
        client=firm.client, effective_from=accident - timedelta(days=30), floor="0.20"
    )
    # Not yet in force on the accident date.
    DepreciationRule.objects.create(
        client=firm.client, effective_from=accident + timedelta(days=1), floor="0.50"
    )
    old = {**WORKED[1]}  # 120 months of a 5-year life: at the floor
    sheet = services.do_save_property_sheet(item, lines=[old], actor=firm.zhangsan)
    assert sheet.depreciation_floor == Decimal("0.200")
    assert sheet.lines.get().amount == Decimal("100.00")
    assert "成新率下限 20%" in sheet.depreciation_rule


def test_a_stale_version_is_a_conflict_and_keeps_the_saved_sheet(firm, item):
    version = item.case.version
    first = services.do_save_property_sheet(
        item, lines=WORKED, actor=firm.zhangsan, expected_version=version
    )
    with pytest.raises(Conflict) as refused:
        services.do_save_property_sheet(
            item, lines=WORKED[:1], actor=firm.qianqi, expected_version=version
        )
    assert refused.value.extra["current_version"] == version + 1
    first.refresh_from_db()
    assert first.total == Decimal("6660.00") and first.lines.count() == 3


def test_an_agreed_amount_above_the_assessed_total_needs_a_reason(firm, item):
    with pytest.raises(ServiceError) as refused:
        services.do_save_negotiation(item, agreed_amount="6000", actor=firm.zhangsan)
    assert "agreed_amount" in refused.value.fields  # no sheet yet to compare with

    assessed(firm, item)
    with pytest.raises(ServiceError) as refused:
        services.do_save_negotiation(
            item, claimed_amount="9000", agreed_amount="7000.00", actor=firm.zhangsan
        )
    assert refused.value.fields == {
        "above_assessed_reason": ["协商金额高于定损合计 6,660.00 元，须说明原因。"]
    }
    negotiation = services.do_save_negotiation(
        item,
        claimed_amount="9000",
        agreed_amount="7000.00",
        above_assessed_reason="路政要求整段更换，经保险公司同意",
        actor=firm.zhangsan,
    )
    assert negotiation.agreed_at is not None and negotiation.agreed_on == timezone.localdate()
    item.refresh_from_db()
    assert services.recommended_settlement(item) == Decimal("6660.00")


def test_a_lower_agreed_amount_is_the_recommended_settlement(firm, item):
    assessed(firm, item)
    services.do_add_offer(
        item,
        offered_on=timezone.localdate(),
        party="owner",
        speaker="路政科 王科长",
        amount="8000",
        actor=firm.zhangsan,
    )
    services.do_add_offer(
        item,
        offered_on=timezone.localdate(),
        party="adjuster",
        speaker="张三",
        amount="6000",
        actor=firm.zhangsan,
    )
    services.do_save_negotiation(
        item, claimed_amount="8000", agreed_amount="6300", actor=firm.zhangsan
    )
    item.refresh_from_db()
    assert [o.amount for o in item.negotiation.offers.all()] == [
        Decimal("8000.00"),
        Decimal("6000.00"),
    ]
    assert services.recommended_settlement(item) == Decimal("6300.00")


def test_the_agreement_must_be_a_document_of_the_item(firm, item):
    assessed(firm, item)
    other = firm.assessed_case().attachments.first()
    with pytest.raises(ServiceError) as refused:
        services.do_save_negotiation(
            item, agreed_amount="6000", agreement=other.pk, actor=firm.zhangsan
        )
    assert "agreement" in refused.value.fields


def test_an_offer_names_its_party_speaker_and_amount(firm, item):
    with pytest.raises(ServiceError) as refused:
        services.do_add_offer(
            item,
            offered_on=timezone.localdate() + timedelta(days=1),
            party="neighbour",
            speaker=" ",
            amount="",
            actor=firm.zhangsan,
        )
    assert set(refused.value.fields) == {"offered_on", "party", "speaker", "amount"}


def test_a_vehicle_item_is_not_a_property_item(firm):
    case = firm.assessing_case(property_loss=True)
    vehicle = case.loss_items.get(seq=1)
    with pytest.raises(ServiceError) as refused:
        services.do_save_property_sheet(vehicle, lines=WORKED, actor=firm.zhangsan)
    assert refused.value.code == "loss_item_not_property"


def test_the_survey_checks_its_fields(firm, item):
    with pytest.raises(ServiceError) as refused:
        services.do_save_property_survey(
            item,
            {**SURVEY, "category": "moon", "owner_phone": "12", "owner_name": ""},
            actor=firm.zhangsan,
        )
    assert set(refused.value.fields) == {"category", "owner_phone", "owner_name"}


def test_the_model_treatments_are_the_rules():
    assert {(t.value, t.label) for t in Treatment} == {
        (t.value, label) for t, label in rule.TREATMENT_LABELS.items()
    }


@settings(max_examples=40, deadline=None)
@given(
    quantity=st.integers(min_value=1, max_value=50),
    price=st.integers(min_value=0, max_value=10_000_00),
    months=st.integers(min_value=0, max_value=400),
    years=st.integers(min_value=1, max_value=30),
)
def test_cleaned_lines_agree_with_the_rule(quantity, price, months, years):
    """The service stores exactly what the rule computes (no second arithmetic)."""
    unit_price = Decimal(price) / 100
    raw = {
        "treatment": "replace",
        "name": "货物",
        "quantity": str(quantity),
        "unit_price": str(unit_price),
        "months_used": str(months),
        "useful_life_years": str(years),
    }
    cleaned, errors = services.clean_lines(
        [raw], floor=rule.DEFAULT_FLOOR, accident=date(2026, 6, 1)
    )
    assert not errors
    expected = rule.assess_sheet(
        [rule.PropertyLineInput("货物", "replace", quantity, unit_price, months, years)]
    )
    assert cleaned[0].amount == expected.total
    assert rule.DEFAULT_FLOOR <= cleaned[0].depreciation_rate <= 1
