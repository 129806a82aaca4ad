"""Fees in the demo: every client has its contracts for the three lines, and every case whose
report the demo issued has a fee that the fee rules give again from its stored inputs, by the
contract in force on its 委托日."""

from decimal import Decimal

from lossdesk.billing.choices import FeeTrigger
from lossdesk.billing.models import CaseFee, FeeContract
from lossdesk.billing.services import contract_in_force
from lossdesk.claims.choices import CaseStatus, EventType
from lossdesk.claims.models import Case, SurveyRecord
from lossdesk.demo import billing as billing_demo
from lossdesk.demo.tests.test_seed_demo import demo_db, seeded  # noqa: F401 (the shared seed)
from lossdesk.org.models import Client
from lossdesk.rules.fees import compute_fee, parse_terms

ISSUED = (CaseStatus.REPORT_ISSUED, CaseStatus.CLOSED)


def test_every_demo_client_has_a_contract_for_each_line(demo_db):  # noqa: F811
    for client in Client.objects.all():
        lines = set(FeeContract.objects.filter(client=client).values_list("line", flat=True))
        assert lines == {"motor", "property", "injury"}, client
        motor = FeeContract.objects.filter(client=client, line="motor").first()
        terms = parse_terms(motor.terms)
        assert terms.mode == "percentage" and terms.minimum and terms.maximum
        assert (
            parse_terms(FeeContract.objects.get(client=client, line="property").terms).mode
            == "progressive"
        )
        injury = parse_terms(FeeContract.objects.get(client=client, line="injury").terms)
        assert injury.mode == "per_case" and injury.km_rate is not None
    assert FeeContract.objects.filter(client__code="picc", line="motor").count() == 2
    assert FeeContract.objects.count() == 3 * Client.objects.count() + len(billing_demo.MOTOR_V2)


def test_every_issued_demo_case_has_the_fee_the_rules_give_on_its_inputs(demo_db):  # noqa: F811
    issued = Case.objects.filter(status__in=ISSUED).select_related("client")
    assert issued.exists()
    for case in issued:
        fee = CaseFee.objects.get(case=case)
        assert fee.trigger == FeeTrigger.REPORT_ISSUED
        assert not fee.missing_contract, case
        components = list(fee.components.select_related("contract"))
        assert components, case
        total = Decimal("0.00")
        for component in components:
            in_force = contract_in_force(case.client, component.line, fee.on_date)
            assert component.contract == in_force, (case, component.line)
            assert component.contract_version == in_force.version
            assert component.terms == in_force.terms
            result = compute_fee(component.terms, component.inputs_case())
            assert result.fee == component.fee, (case, component.line)
            total += component.fee
        assert fee.computed_total == total > 0
        motor = next(c for c in components if c.line == "motor")
        assert Decimal(motor.inputs["approved_amount"]) <= case.approved_amount
        assert case.events.filter(type=EventType.FEE_COMPUTED).count() == 1


def test_the_demo_cases_not_yet_reported_on_have_no_fee(demo_db):  # noqa: F811
    pending = Case.objects.exclude(status__in=(*ISSUED, CaseStatus.CANCELLED))
    assert not CaseFee.objects.filter(case__in=pending).exists()


def test_demo_surveys_record_the_distance_and_fees_charge_it(demo_db):  # noqa: F811
    assert SurveyRecord.objects.exists()
    assert not SurveyRecord.objects.filter(travel_km__isnull=True).exists()
    # A case cancelled after the survey earns the cancellation fee alone, without extras.
    fees = CaseFee.objects.filter(
        case__survey__isnull=False, trigger=FeeTrigger.REPORT_ISSUED
    ).select_related("case__survey")
    assert fees.exists()
    for fee in fees:
        # The survey's extras go on the case's first line only (docs/billing.md).
        distances = [
            Decimal(c.inputs["distance_km"])
            for c in fee.components.all()
            if "distance_km" in c.inputs
        ]
        assert max(distances) == fee.case.survey.travel_km > 0, fee.case


def test_an_issued_and_a_closed_demo_case_had_a_re_survey_that_their_fee_charges(demo_db):  # noqa: F811
    resurveyed = Case.objects.filter(resurveys__isnull=False).distinct()
    assert sorted(case.status for case in resurveyed) == [
        CaseStatus.CLOSED,
        CaseStatus.REPORT_ISSUED,
    ]
    for case in resurveyed:
        motor = CaseFee.objects.get(case=case).components.get(line="motor")
        assert motor.inputs["resurveys"] == 1
        charged = next(c for c in motor.components if c["code"] == "resurvey")
        assert Decimal(charged["amount"]) == parse_terms(motor.terms).resurvey_fee > 0
        assert motor.explanation[1].endswith("复勘 1 次")
    others = CaseFee.objects.exclude(case__in=resurveyed).filter(components__line="motor")
    assert others.exists()
    for fee in others:
        assert fee.components.get(line="motor").inputs.get("resurveys", 0) == 0
