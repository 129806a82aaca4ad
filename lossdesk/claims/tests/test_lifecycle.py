from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lossdesk.claims import services
from lossdesk.claims.choices import CaseStatus, EventType, LossItemStatus, ReviewDecision
from lossdesk.core.errors import IllegalTransition, Incomplete
from lossdesk.testing import LINES_TOTAL

pytestmark = pytest.mark.django_db


def test_a_case_travels_from_report_to_close_through_the_services(firm):
    case = firm.closed_case()
    assert case.status == CaseStatus.CLOSED
    assert case.approved_amount == 2 * LINES_TOTAL  # insured vehicle + one third-party vehicle
    assert case.adjusting_report.file.read(4) == b"%PDF"
    events = list(case.events.values_list("type", flat=True))
    assert events[0] == EventType.REPORT_REGISTERED
    assert events[-1] == EventType.CLOSED
    assert set(case.loss_items.values_list("status", flat=True)) == {LossItemStatus.APPROVED}


def test_registering_a_report_opens_a_case_with_one_loss_item_per_loss(firm):
    case = firm.registered_case(
        third_party_vehicles=2,
        third_party_plates="浙B54321,浙C11111",
        property_loss=True,
        injured_persons=1,
    )
    kinds = list(case.loss_items.values_list("kind", flat=True))
    assert kinds == [
        "insured_vehicle",
        "third_party_vehicle",
        "third_party_vehicle",
        "property",
        "injury",
    ]
    assert case.report.report_no.startswith("R") and case.case_no.startswith("C")


def test_closing_an_unapproved_case_is_an_illegal_transition_naming_the_state(firm):
    case = firm.assessing_case()
    with pytest.raises(IllegalTransition) as exc:
        services.do_close_case(case, actor=firm.lisi)
    assert exc.value.extra["current_state"] == CaseStatus.ASSESSING
    assert "定损中" in exc.value.message


def test_submitting_with_an_unassessed_vehicle_is_refused(firm):
    case = firm.assessing_case()
    with pytest.raises(Incomplete) as exc:
        services.do_submit_for_review(case, actor=firm.zhangsan)
    assert "loss_items.1" in exc.value.fields


def test_approval_above_the_client_threshold_needs_a_second_review(firm):
    firm.client.second_review_threshold = Decimal("1000.00")
    firm.client.save()
    case = firm.in_review_case()
    services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_SECOND_REVIEW
    services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.sunba)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_events_recorded_in_one_insert_keep_their_order_and_vanish_with_an_error(firm):
    case = firm.registered_case()
    before = list(case.events.values_list("type", flat=True))
    assert before == ["report_registered"]
    with services.events_in_one_insert():
        services.record_event(case, EventType.SURVEY_SAVED, firm.zhangsan, "一")
        services.record_event(case, EventType.ATTACHMENT_ADDED, firm.zhangsan, "二")
        assert case.events.count() == 1  # not written yet
    with pytest.raises(RuntimeError), services.events_in_one_insert():
        services.record_event(case, EventType.CLOSED, firm.zhangsan, "不应写入")
        raise RuntimeError
    assert list(case.events.values_list("message", flat=True))[1:] == ["一", "二"]


def test_registering_a_report_writes_its_events_in_one_insert(firm):
    with CaptureQueriesContext(connection) as queries:
        case = firm.registered_case(plate="浙A88888")
        firm.registered_case(plate="浙A88888", client_claim_no="DUP-2")  # flagged duplicate
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "claims_caseevent"')]
    assert len(inserts) == 2  # one per registration, with two events in the second
    assert case.events.get().type == "report_registered"
