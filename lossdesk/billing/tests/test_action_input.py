"""The fee adjustment forms keep what was typed when the post is refused (decision 0007,
fifth amendment): a request the service refuses comes back with the amount and the reason
on the page (400, on its field); a decision on an adjustment decided meanwhile is 409 with
the note kept. The pages do not check the case version for them (they are additive), so
there is no stale-version refusal to keep input through. Nothing is recorded by a refused
post."""

import pytest
import time_machine
from django.urls import reverse

from lossdesk.billing import services
from lossdesk.billing.choices import AdjustmentStatus
from lossdesk.billing.models import FeeAdjustment
from lossdesk.billing.tests.test_case_fees import PERCENTAGE, WORKING_MORNING, contract

pytestmark = pytest.mark.django_db

KEPT = "您填写的内容已保留在下方，尚未保存。"
REASON = "委托方同意夜间加急查勘，按合同补充条款加收"
NOTE = "加收依据不足，合同补充条款未经委托方盖章确认"


@pytest.fixture
def issued(firm):
    contract(firm, PERCENTAGE)
    with time_machine.travel(WORKING_MORNING, tick=False):
        return firm.issued_case()


def test_a_request_the_service_refuses_keeps_the_amount_and_the_reason(client, firm, issued):
    client.force_login(firm.finance)

    response = client.post(
        reverse("billing:case-fee-adjust", args=[issued.case_no]),
        {"version": issued.version, "amount": "0", "reason": REASON},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert REASON in html and response.context["form"].errors["amount"]
    assert not FeeAdjustment.objects.exists()


def test_a_decision_on_an_adjustment_decided_meanwhile_keeps_the_note(client, firm, issued):
    adjustment = services.do_request_fee_adjustment(
        issued, amount="25.00", reason=REASON, actor=firm.finance
    )
    manager = firm.staff("wuyi", "吴一", "branch_manager", firm.hangzhou)
    services.do_decide_fee_adjustment(adjustment, decision="approve", actor=manager)
    client.force_login(firm.zhoujiu)

    response = client.post(
        reverse("billing:case-fee-decide", args=[issued.case_no, adjustment.pk]),
        {"version": issued.version, "decision": "refuse", "note": NOTE},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "未保存：" in html and KEPT in html and NOTE in html
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decided_by) == (AdjustmentStatus.APPROVED, manager)
