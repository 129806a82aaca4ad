"""Third-party property (三者物损) in the demo: a property case in every state, from a fresh
report to a closed case, with a guardrail of the road authority, a shopfront of a shop owner
and the goods in a truck, each built through the property services."""

from django.core.files.storage import default_storage

from lossdesk.claims.choices import CaseStatus, DocumentType, LossItemKind
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.pdf import adjusting_report_html
from lossdesk.demo import builder as demo
from lossdesk.demo import plans as plan_demo
from lossdesk.demo import property as property_demo
from lossdesk.demo.tests.test_seed_demo import demo_db, seeded  # noqa: F401 (the shared seed)
from lossdesk.property.choices import OwnerType, PropertyCategory
from lossdesk.property.models import Negotiation, PropertySheet, PropertySurvey

S = CaseStatus
SUBMITTED = {S.IN_REVIEW, S.APPROVED, S.REPORT_ISSUED, S.CLOSED}


def stage(item: LossItem) -> str:
    """How far a property item has got, read from what is stored."""
    negotiation = Negotiation.objects.filter(loss_item=item).first()
    if negotiation is not None and negotiation.agreed_amount is not None:
        return property_demo.AGREED
    if negotiation is not None and negotiation.offers.exists():
        return property_demo.OFFERS
    if PropertySheet.objects.filter(loss_item=item).exists():
        return property_demo.SHEET
    if PropertySurvey.objects.filter(loss_item=item).exists():
        return property_demo.SURVEY
    return property_demo.NONE


def property_items():
    return LossItem.objects.filter(kind=LossItemKind.PROPERTY).select_related("case")


def test_every_showcase_finds_a_case_whatever_the_number_of_cases():
    for n in (30, demo.DEFAULT_CASES):
        builder = demo.DemoBuilder(cases=n)
        targets = builder._targets()
        before = list(targets)
        hosts = property_demo.showcase_hosts(targets, builder._roles(targets))
        assert sorted((targets[i], stage_) for i, (stage_, _) in hosts.items()) == sorted(
            property_demo.SHOWCASES
        )
        assert {kind for _, kind in hosts.values()} == {"guardrail", "shopfront", "goods"}
        assert set(targets) == set(before)  # no state loses its last case


def test_there_is_a_property_case_in_every_state(demo_db):  # noqa: F811
    found = {(item.case.status, stage(item)) for item in property_items()}
    assert set(property_demo.SHOWCASES) <= found


def test_the_tour_branch_has_a_property_case_in_every_state(demo_db):  # noqa: F811
    """The README's tour logs in to 杭州: its users find the whole property path there."""
    tour = property_items().filter(case__branch__code=plan_demo.TOUR_CITY)
    found = {(item.case.status, stage(item)) for item in tour}
    assert set(property_demo.SHOWCASES) <= found


def test_a_submitted_property_item_is_surveyed_assessed_and_agreed_with_a_signed_agreement(
    demo_db,  # noqa: F811
):
    submitted = [item for item in property_items() if item.case.status in SUBMITTED]
    assert {item.case.status for item in submitted} == SUBMITTED
    for item in submitted:
        sheet = PropertySheet.objects.get(loss_item=item)
        assert sheet.lines.exists() and sheet.total > 0 and sheet.depreciation_rule
        negotiation = Negotiation.objects.get(loss_item=item)
        assert negotiation.offers.count() >= 2 and negotiation.claimed_amount > sheet.total
        if negotiation.agreed_amount > sheet.total:
            assert negotiation.above_assessed_reason
        agreement = negotiation.agreement
        assert agreement.doc_type == DocumentType.AGREEMENT and agreement.loss_item == item
        assert default_storage.exists(agreement.file.name)
        case = item.case
        assert case.assessed_amount >= sheet.total


def test_the_demo_has_a_guardrail_a_shopfront_and_goods_in_a_truck(demo_db):  # noqa: F811
    surveys = PropertySurvey.objects.select_related("loss_item__case__report")
    guardrails = surveys.filter(category=PropertyCategory.ROAD_FACILITY)
    assert guardrails and all(
        s.owner_type == OwnerType.ORGANISATION and s.owner_name.endswith("市公路管理局")
        for s in guardrails
    )
    shopfronts = surveys.filter(category=PropertyCategory.BUILDING)
    assert shopfronts and all(
        s.owner_type == OwnerType.PERSON and s.location.endswith("门面") for s in shopfronts
    )
    goods = surveys.filter(category=PropertyCategory.GOODS)
    assert goods and all("货车" in s.loss_item.case.report.description for s in goods)


def test_an_issued_report_shows_its_property_section(demo_db):  # noqa: F811
    case = Case.objects.filter(
        status__in=(S.REPORT_ISSUED, S.CLOSED), loss_items__kind=LossItemKind.PROPERTY
    ).first()
    html = adjusting_report_html(case, case.adjusting_report)
    sheet = PropertySheet.objects.get(loss_item__case=case)
    assert "本报告未核定该标的损失" not in html
    assert sheet.sheet_no in html and sheet.depreciation_rule in html and "建议赔付金额" in html
