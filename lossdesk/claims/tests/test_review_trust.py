"""Reviews that can be trusted: a review names its level and loses a race with a conflict,
nobody reviews a sheet they ever saved or submitted, the pages offer the form only to whom
the service accepts, and the review page shows what is being approved."""

import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.db import OperationalError, connection, connections
from django.urls import reverse

from lossdesk.claims import services
from lossdesk.claims.choices import (
    AttachmentKind,
    CaseStatus,
    DocumentType,
    LossItemStatus,
    ReviewDecision,
)
from lossdesk.claims.models import Case, Review
from lossdesk.core.errors import Conflict, SelfReview
from lossdesk.motor import services as motor_services
from lossdesk.motor.models import AssessmentSheet
from lossdesk.org.models import Staff
from lossdesk.testing import API, LINES, Firm, client_for, error_of, photo

pytestmark = pytest.mark.django_db

ROUNDS = 10


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def with_perms(user, *codenames) -> Staff:
    """`user` with extra permissions on their position, re-read (fresh permission cache)."""
    user.position.permissions.add(*Permission.objects.filter(codename__in=codenames))
    return Staff.objects.get(pk=user.pk)


def two_level_case(firm):
    """In review, with an amount above the client's threshold: level 1 approval goes on to
    level 2."""
    firm.client.second_review_threshold = 100
    firm.client.save()
    return firm.in_review_case()


# --- 1. the two-level race ---------------------------------------------------------------


def waiting_for_the_lock(call):
    """Run `call` (one atomic service call) as the production database would: SQLite's
    in-memory test database answers "table is locked" at BEGIN IMMEDIATE at once, where the
    file database of a deployment waits for the lock (busy timeout); wait the same way.
    PostgreSQL's row lock waits by itself."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


@pytest.mark.django_db(transaction=True)
def test_two_level_1_approvals_at_once_give_one_approval_and_one_conflict_every_round(
    settings, tmp_path
):
    """Without `version`, each reviewer states level 1. The loser used to become the
    level-2 approver (its level was read before the lock); now it is a 409 conflict and
    the case is exactly where one level-1 approval puts it."""
    settings.MEDIA_ROOT = tmp_path
    firm = Firm()
    firm.client.second_review_threshold = 100
    firm.client.save()
    for round_no in range(ROUNDS):
        case = firm.in_review_case(client_claim_no=f"RACE-{round_no}")
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def review(reviewer, case=case, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait()
                waiting_for_the_lock(
                    lambda: services.do_review_case(
                        Case.objects.get(pk=case.pk),
                        decision=ReviewDecision.APPROVED,
                        level=1,
                        actor=reviewer,
                    )
                )
                outcomes[reviewer.username] = "ok"
            except Conflict as exc:
                outcomes[reviewer.username] = exc.code
            finally:
                connections.close_all()

        threads = [threading.Thread(target=review, args=(r,)) for r in (firm.lisi, firm.sunba)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["conflict", "ok"], (round_no, outcomes)
        after = fresh(case)
        assert after.status == CaseStatus.IN_SECOND_REVIEW
        assert after.approved_amount is None
        assert list(after.reviews.values_list("level", "decision")) == [
            (1, ReviewDecision.APPROVED)
        ]
        assert set(
            after.loss_items.filter(kind__endswith="vehicle").values_list("status", flat=True)
        ) == {LossItemStatus.SUBMITTED}


def test_a_level_1_review_of_a_case_already_at_level_2_is_a_409_conflict_in_the_api(firm):
    case = two_level_case(firm)
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    version = fresh(case).version
    response = client_for(firm.sunba).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "approved", "level": 1}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert error["current_state"] == CaseStatus.IN_SECOND_REVIEW
    after = fresh(case)
    assert (after.status, after.version, after.reviews.count()) == (
        CaseStatus.IN_SECOND_REVIEW,
        version,
        1,
    )


def test_the_api_review_needs_a_level_or_a_version(firm):
    case = firm.in_review_case()
    response = client_for(firm.lisi).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "approved"}, format="json"
    )
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["level"]
    assert fresh(case).status == CaseStatus.IN_REVIEW
    assert not Review.objects.exists()


def test_the_api_review_with_its_level_goes_through(firm):
    case = firm.in_review_case()
    response = client_for(firm.lisi).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "approved", "level": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.APPROVED


def test_the_review_page_form_carries_the_level_it_was_rendered_for(client, firm):
    case = two_level_case(firm)
    client.force_login(firm.lisi)
    page = client.get(reverse("claims:case-review", args=[case.case_no]))
    assert page.context["form"]["level"].value() == 1
    # Someone else approves level 1 in between; this page's level-1 post is refused.
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.sunba)
    case = fresh(case)
    response = client.post(
        reverse("claims:case-review", args=[case.case_no]),
        {"version": case.version, "level": 1, "decision": "approved"},
    )
    # Refused on the review page, which keeps what was posted (decision 0007, fifth amendment).
    assert response.status_code == 409
    assert response.context["form"]["level"].value() == "1"
    assert any(e.startswith("未保存：") for e in response.context["form"].non_field_errors())
    after = fresh(case)
    assert (after.status, after.reviews.count()) == (CaseStatus.IN_SECOND_REVIEW, 1)


# --- 2. self-review through another's save ------------------------------------------------


def test_whoever_ever_saved_a_sheet_may_not_review_it_after_someone_else_saved_it_again(firm):
    qianqi = with_perms(firm.qianqi, "review_case", "review_case_second")
    case = firm.assessing_case()
    vehicles = [item for item in case.loss_items.all() if item.is_vehicle]
    # 钱七 writes the first sheet; 张三 saves every sheet after him, so he is its assessor.
    motor_services.do_save_assessment_sheet(vehicles[0], lines=LINES, actor=qianqi)
    for item in vehicles:
        motor_services.do_save_assessment_sheet(item, lines=LINES, actor=firm.zhangsan)
    services.do_submit_for_review(case, actor=firm.zhangsan)
    assert AssessmentSheet.objects.get(loss_item=vehicles[0]).assessor == firm.zhangsan
    with pytest.raises(SelfReview):
        services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=qianqi)
    response = client_for(qianqi).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "approved", "level": 1}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "self_review"
    after = fresh(case)
    assert (after.status, after.reviews.count()) == (CaseStatus.IN_REVIEW, 0)


def test_whoever_submitted_the_sheets_may_not_review_them(firm):
    qianqi = with_perms(firm.qianqi, "review_case", "review_case_second")
    case = firm.assessed_case()
    services.do_submit_for_review(case, actor=qianqi)
    with pytest.raises(SelfReview):
        services.do_review_case(case, decision=ReviewDecision.RETURNED, reason="x", actor=qianqi)
    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_a_level_2_reviewer_who_once_saved_a_sheet_may_not_approve_it_either(firm):
    firm.client.second_review_threshold = 100
    firm.client.save()
    qianqi = with_perms(firm.qianqi, "review_case", "review_case_second")
    case = firm.assessing_case()
    vehicles = [item for item in case.loss_items.all() if item.is_vehicle]
    motor_services.do_save_assessment_sheet(vehicles[-1], lines=LINES, actor=qianqi)
    for item in vehicles:
        motor_services.do_save_assessment_sheet(item, lines=LINES, actor=firm.zhangsan)
    services.do_submit_for_review(case, actor=firm.zhangsan)
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    with pytest.raises(SelfReview):
        services.do_review_case(case, decision=ReviewDecision.APPROVED, level=2, actor=qianqi)
    assert fresh(case).status == CaseStatus.IN_SECOND_REVIEW


# --- 3. the form only for whom the service accepts ----------------------------------------


def review_panel_shown(client, user, case) -> bool:
    client.force_login(user)
    html = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    return 'data-testid="action-case-review"' in html


def test_the_level_1_approver_is_not_offered_the_level_2_form(client, firm):
    case = two_level_case(firm)
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    assert not review_panel_shown(client, firm.lisi, case)
    page = client.get(reverse("claims:case-review", args=[case.case_no]))
    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()
    assert "二级审核须由一级审核以外的人员进行" in page.content.decode()
    assert review_panel_shown(client, firm.sunba, case)


def test_an_assessor_reviewer_is_not_offered_approval_of_his_own_sheet(client, firm):
    qianqi = with_perms(firm.qianqi, "review_case", "review_case_second")
    case = firm.assessing_case()
    for item in case.loss_items.all():
        if item.is_vehicle:
            motor_services.do_save_assessment_sheet(item, lines=LINES, actor=qianqi)
    services.do_submit_for_review(case, actor=qianqi)
    assert not review_panel_shown(client, qianqi, case)
    page = client.get(reverse("claims:case-review", args=[case.case_no]))
    assert 'name="decision"' not in page.content.decode()
    assert "不能审核自己编制或提交的定损单" in page.content.decode()
    assert review_panel_shown(client, firm.lisi, case)


# --- 4. the review page shows what is approved --------------------------------------------


def test_the_review_page_shows_each_sheet_its_lines_totals_salvage_and_photos(client, firm):
    case = firm.assessing_case()
    vehicles = [item for item in case.loss_items.all() if item.is_vehicle]
    item_photo = services.do_add_attachment(
        case,
        photo("bumper.jpg"),
        kind=AttachmentKind.PHOTO,
        doc_type=DocumentType.DAMAGE_PHOTO,
        loss_item=vehicles[0],
        actor=firm.zhangsan,
    )
    for item in vehicles:
        motor_services.do_save_assessment_sheet(item, lines=LINES, actor=firm.zhangsan)
    sheet = AssessmentSheet.objects.get(loss_item=vehicles[0])
    sheet.lines.filter(seq=1).update(fitment_warning="该配件不适用于本车型")
    services.do_submit_for_review(case, actor=firm.zhangsan)
    client.force_login(firm.lisi)
    response = client.get(reverse("claims:case-review", args=[case.case_no]))
    html = response.content.decode()
    assert response.status_code == 200
    assert sheet.sheet_no in html
    assert "前保险杠皮" in html and "拆装工时" in html
    assert "该配件不适用于本车型" in html and "data-fitment-warning" in html
    assert "¥2,215.50" in html  # each sheet's total
    assert "50.00" in html  # salvage
    attachment_url = reverse("claims:attachment", args=[case.case_no, item_photo.pk])
    thumbnail_url = reverse("claims:attachment-thumbnail", args=[case.case_no, item_photo.pk])
    assert f'<a href="{attachment_url}"' in html and f'src="{thumbnail_url}"' in html
    assert 'name="decision"' in html


def test_the_api_lists_the_review_action_only_for_whom_the_service_accepts(firm):
    case = two_level_case(firm)
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    url = f"{API}/cases/{case.case_no}"
    assert "second_review" not in client_for(firm.lisi).get(url).json()["available_actions"]
    assert "second_review" in client_for(firm.sunba).get(url).json()["available_actions"]
