"""Financial risk alerts (issue 14 §6): billing's rules in quality's registry, each alert with
its rule, version and inputs."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from lossdesk.billing import services, statements
from lossdesk.billing.alert_rules import FINANCIAL_RULES
from lossdesk.billing.choices import AdjustmentDecision
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.services import evaluate_case

pytestmark = pytest.mark.django_db

PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}


def fired(case, code):
    return [a for a in evaluate_case(case) if a.rule == code]


def contract(firm):
    services.do_create_fee_contract(
        client=firm.client,
        line="motor",
        effective_from=date(2020, 1, 1),
        terms=PERCENTAGE,
        actor=firm.finance,
    )


def test_the_financial_rules_are_in_qualitys_registry():
    assert {r.code for r in FINANCIAL_RULES} == {
        "fee_unpaid",
        "fee_below_minimum",
        "fee_adjustment_pending",
        "fee_missing_contract",
    }
    assert all(RULES[r.code] is r for r in FINANCIAL_RULES)


def test_an_approved_cut_below_the_minimum_and_a_pending_adjustment_raise_alerts(firm):
    contract(firm)
    case = firm.issued_case()  # fee 300.00, the contract's minimum
    assert fired(case, "fee_below_minimum") == []
    cut = services.do_request_fee_adjustment(
        case, amount="-50.00", reason="委托方要求", actor=firm.finance
    )
    services.do_decide_fee_adjustment(cut, decision=AdjustmentDecision.APPROVE, actor=firm.zhoujiu)
    (alert,) = fired(case, "fee_below_minimum")
    assert (alert.rule_version, alert.inputs["fee"], alert.inputs["minimum"]) == (
        1,
        "250.00",
        "300.00",
    )
    assert alert.inputs["contract_versions"] == {"motor": 1}
    assert (
        alert.explanation
        == "公估费 250.00 元（含已批准的调整）低于收费协议最低收费合计 300.00 元。"
    )

    services.do_request_fee_adjustment(case, amount="30.00", reason="加急", actor=firm.finance)
    assert fired(case, "fee_adjustment_pending") == []  # asked today: within 3 days
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        (pending,) = fired(case, "fee_adjustment_pending")
    assert (pending.inputs["amounts"], pending.inputs["params"]) == (["30.00"], {"days": 3})


def test_a_fee_unpaid_beyond_the_days_raises_an_alert_and_a_paid_one_does_not(firm):
    contract(firm)
    unpaid = firm.issued_case(client_claim_no="PICC-UNPAID")
    paid = firm.issued_case(client_claim_no="PICC-PAID")
    payment = statements.do_record_payment(
        client=firm.client,
        paid_on=timezone.localdate(),
        amount="300.00",
        reference="HK-1",
        actor=firm.finance,
    )
    statements.do_allocate_payment(
        payment, allocations=[{"case_no": paid.case_no, "amount": "300.00"}], actor=firm.finance
    )
    assert fired(unpaid, "fee_unpaid") == []
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        (alert,) = fired(unpaid, "fee_unpaid")
        assert fired(paid, "fee_unpaid") == []
    assert (alert.inputs["outstanding"], alert.inputs["days"], alert.inputs["params"]) == (
        "300.00",
        91,
        {"days": 90},
    )


def test_a_line_without_a_contract_raises_an_alert(firm):
    case = firm.issued_case()
    (alert,) = fired(case, "fee_missing_contract")
    assert alert.inputs["lines"] == ["motor"]


def test_the_job_keeps_looking_at_closed_cases_for_unpaid_fees_only(firm):
    from lossdesk.quality.models import Alert
    from lossdesk.quality.services import evaluate_cases

    contract(firm)
    closed = firm.closed_case(client_claim_no="PICC-CLOSED")
    late = timezone.now() - timedelta(days=3)
    reported_late = firm.closed_case(
        client_claim_no="PICC-LATE", accident_time=late, reported_at=late + timedelta(hours=72)
    )
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert evaluate_cases() == 2
        assert evaluate_cases() == 0  # once
    assert set(Alert.objects.values_list("case", "rule")) == {
        (closed.pk, "fee_unpaid"),
        (reported_late.pk, "fee_unpaid"),  # not late_report: the case was closed
    }


def test_a_closed_case_paid_in_full_leaves_the_jobs_view(firm):
    contract(firm)
    closed = firm.closed_case(client_claim_no="PICC-PAID-CLOSED")
    rule = RULES["fee_unpaid"]
    assert list(rule.closed_cases()) == [closed]
    payment = statements.do_record_payment(
        client=firm.client,
        paid_on=timezone.localdate(),
        amount="300.00",
        reference="HK-2",
        actor=firm.finance,
    )
    statements.do_allocate_payment(
        payment, allocations=[{"case_no": closed.case_no, "amount": "300.00"}], actor=firm.finance
    )
    assert list(rule.closed_cases()) == []
