"""Who may see and do what: data scope, self-review, concurrent reviews, the audit trail."""

import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, connections

from lossdesk.claims import services
from lossdesk.claims.choices import CaseStatus, ReviewDecision
from lossdesk.claims.models import Case, CaseEvent, Review
from lossdesk.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.intake.services.reports import do_register_report
from lossdesk.motor import services as motor_services
from lossdesk.testing import LINES, Firm

pytestmark = pytest.mark.django_db


def test_a_city_user_sees_only_the_cases_of_their_own_branch(firm):
    hangzhou_case = firm.registered_case()
    ningbo_case = do_register_report(firm.report_data(), actor=firm.wushi)
    assert list(Case.objects.for_user(firm.zhaoliu)) == [hangzhou_case]
    assert list(Case.objects.for_user(firm.wushi)) == [ningbo_case]


def test_a_surveyor_with_own_scope_sees_only_cases_dispatched_to_them(firm):
    mine = firm.surveying_case()
    firm.registered_case()
    assert list(Case.objects.for_user(firm.zhangsan)) == [mine]


def test_a_branch_manager_sees_the_branch_and_an_hq_finance_clerk_sees_everything(firm):
    hangzhou_case = firm.registered_case()
    ningbo_case = do_register_report(firm.report_data(), actor=firm.wushi)
    assert list(Case.objects.for_user(firm.zhoujiu)) == [hangzhou_case]
    assert set(Case.objects.for_user(firm.finance)) == {hangzhou_case, ningbo_case}


def test_the_administrators_see_no_cases(firm):
    firm.registered_case()
    for admin in (firm.sysadmin, firm.secadmin, firm.auditor):
        assert not Case.objects.for_user(admin).exists()


def test_a_user_of_another_branch_cannot_act_on_a_case_even_through_the_service(firm):
    case = firm.registered_case()
    with pytest.raises(NotFound):
        do_dispatch_case(case, surveyor=firm.wangwu, actor=firm.wushi)


def test_a_dispatcher_cannot_review(firm):
    case = firm.in_review_case()
    with pytest.raises(PermissionDenied):
        services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.zhaoliu)


def test_a_reviewer_can_never_approve_an_assessment_they_made(firm):
    case = firm.assessing_case()
    # Let the reviewers' position assess too: the rule must hold per person, not per position.
    firm.lisi.position.permissions.add(Permission.objects.get(codename="assess_case"))
    firm.lisi = type(firm.lisi).objects.get(pk=firm.lisi.pk)  # fresh permission cache
    for item in case.loss_items.filter(kind__in=["insured_vehicle", "third_party_vehicle"]):
        motor_services.do_save_assessment_sheet(item, lines=LINES, actor=firm.lisi)
    services.do_submit_for_review(case, actor=firm.lisi)
    with pytest.raises(SelfReview):
        services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not Review.objects.filter(case=case).exists()


def test_the_second_reviewer_cannot_be_the_first_one(firm):
    firm.client.second_review_threshold = 100
    firm.client.save()
    case = firm.in_review_case()
    services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    with pytest.raises(SelfReview):
        services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)


def test_a_reviewer_acting_on_a_stale_version_gets_a_conflict_and_changes_nothing(firm):
    case = firm.in_review_case()
    seen = case.version
    services.do_review_case(
        case,
        decision=ReviewDecision.RETURNED,
        reason="配件价格偏高",
        actor=firm.lisi,
        expected_version=seen,
    )
    with pytest.raises(Conflict) as exc:
        services.do_review_case(
            case, decision=ReviewDecision.APPROVED, actor=firm.sunba, expected_version=seen
        )
    assert exc.value.status == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING
    assert list(Review.objects.values_list("reviewer__username", flat=True)) == ["lisi"]


def test_a_returned_case_goes_back_to_assessment_with_the_reason_on_the_timeline(firm):
    case = firm.in_review_case()
    services.do_review_case(
        case, decision=ReviewDecision.RETURNED, reason="请补拍大灯照片", actor=firm.lisi
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING
    assert "请补拍大灯照片" in case.events.last().message


def test_a_return_needs_a_reason(firm):
    case = firm.in_review_case()
    with pytest.raises(ServiceError) as exc:
        services.do_review_case(case, decision=ReviewDecision.RETURNED, reason=" ", actor=firm.lisi)
    assert "reason" in exc.value.fields


def test_a_document_request_pauses_the_case_until_every_request_is_fulfilled(firm):
    case = firm.in_review_case()
    first = services.do_request_documents(case, items="行驶证", actor=firm.lisi)
    second = services.do_request_documents(case, items="维修发票", actor=firm.lisi)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DOCUMENTS
    with pytest.raises(IllegalTransition):
        services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    services.do_fulfil_document_request(first, actor=firm.lisi)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DOCUMENTS
    services.do_fulfil_document_request(second, actor=firm.lisi)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


@pytest.mark.parametrize(
    "builder",
    ["registered_case", "assessing_case", "in_review_case", "approved_case", "issued_case"],
)
def test_a_case_can_be_cancelled_from_any_open_state(firm, builder):
    case = getattr(firm, builder)()
    services.do_cancel_case(case, reason="customer_withdrew", actor=firm.zhoujiu)
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    assert case.cancel_reason == "customer_withdrew"


def test_a_closed_case_cannot_be_cancelled(firm):
    case = firm.closed_case()
    with pytest.raises(IllegalTransition) as exc:
        services.do_cancel_case(case, reason="duplicate", actor=firm.zhoujiu)
    assert exc.value.extra["current_state"] == CaseStatus.CLOSED


def test_case_events_cannot_be_edited_or_deleted(firm):
    case = firm.registered_case()
    event = case.events.get()
    event.message = "篡改"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(message="篡改")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).delete()


def test_every_step_of_the_path_leaves_an_event_with_its_actor(firm):
    case = firm.closed_case()
    events = list(case.events.select_related("actor"))
    assert all(e.actor is not None for e in events)
    status_changes = [e.data["status"] for e in events if "status" in e.data]
    assert status_changes[0] == ["registered", "dispatched"]
    assert status_changes[-1] == ["report_issued", "closed"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_the_same_moment_one_wins_the_other_gets_a_conflict(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    firm = Firm()
    case = firm.in_review_case()
    barrier = threading.Barrier(2)
    outcomes = {}

    def review(reviewer):
        try:
            barrier.wait()
            services.do_review_case(
                Case.objects.get(pk=case.pk),
                decision=ReviewDecision.APPROVED,
                actor=reviewer,
                expected_version=case.version,
            )
            outcomes[reviewer.username] = "ok"
        except Conflict as exc:
            outcomes[reviewer.username] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=review, args=(r,)) for r in (firm.lisi, firm.sunba)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "ok"]
    assert Review.objects.filter(case=case).count() == 1


def test_loss_items_move_by_their_state_table(firm):
    from lossdesk.claims.choices import LossItemStatus
    from lossdesk.claims.workflow import LOSS_ITEM_STATES, ItemAction

    case = firm.assessing_case()
    first, second = case.loss_items.order_by("seq")[:2]
    LOSS_ITEM_STATES.move_all(case.loss_items.filter(pk=first.pk), ItemAction.SUBMIT)

    # Only the submitted one can be approved; the pending one stays where it is.
    assert LOSS_ITEM_STATES.move_all(case.loss_items.all(), ItemAction.APPROVE) == 1
    statuses = dict(case.loss_items.values_list("pk", "status"))
    assert statuses == {first.pk: LossItemStatus.APPROVED, second.pk: LossItemStatus.PENDING}
