"""Scope, state and concurrency over the API: an attachment of another case is a 404 through a
visible case (that every endpoint answers 404 outside the caller's scope is proved for every
route by lossdesk/core/tests/test_scope_harness.py); an illegal transition and a stale
version are 409s that change nothing."""

import pytest

from lossdesk.claims.choices import CaseStatus, ReviewDecision
from lossdesk.claims.models import Attachment, Review
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.testing import API, client_for, error_of, photo

pytestmark = pytest.mark.django_db


def test_an_attachment_of_another_case_is_not_served_through_a_visible_case(firm):
    mine = firm.assessing_case()
    other = firm.assessing_case(client_claim_no="PICC-OTHER")
    foreign = other.attachments.get()
    response = client_for(firm.zhangsan).get(
        f"{API}/cases/{mine.case_no}/attachments/{foreign.pk}/file"
    )
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_closing_a_case_in_assessment_is_a_409_naming_the_current_state(firm):
    case = firm.assessing_case()
    response = client_for(firm.lisi).post(f"{API}/cases/{case.case_no}/close", {}, format="json")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "illegal_transition"
    assert error["current_state"] == "assessing"
    assert "当前状态" in error["message"] and "定损中" in error["message"]
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING


def test_an_action_with_a_stale_version_is_a_409_conflict_and_changes_nothing(firm):
    case = firm.registered_case()
    stale = case.version
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    case.refresh_from_db()

    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/cancel",
        {"reason": "duplicate", "version": stale},
        format="json",
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert error["current_version"] == case.version
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED


def test_an_upload_with_a_stale_version_is_a_409_and_stores_nothing(firm):
    case = firm.surveying_case()
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/attachments",
        {"file": photo(), "kind": "photo", "doc_type": "damage_photo", "version": case.version - 1},
        format="multipart",
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"
    assert not Attachment.objects.filter(case=case).exists()


def test_the_second_of_two_reviewers_who_read_the_same_version_gets_a_409(firm):
    case = firm.in_review_case()
    url = f"{API}/cases/{case.case_no}"
    seen_by_lisi = client_for(firm.lisi).get(url).json()["version"]
    seen_by_sunba = client_for(firm.sunba).get(url).json()["version"]
    assert seen_by_lisi == seen_by_sunba == case.version

    first = client_for(firm.lisi).post(
        f"{url}/review", {"decision": "approved", "version": seen_by_lisi}, format="json"
    )
    assert first.status_code == 200
    after_lisi = first.json()

    second = client_for(firm.sunba).post(
        f"{url}/review",
        {"decision": "returned", "reason": "价格偏高", "version": seen_by_sunba},
        format="json",
    )
    assert second.status_code == 409
    assert error_of(second)["code"] == "conflict"
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.version == after_lisi["version"]
    assert list(Review.objects.filter(case=case).values_list("reviewer", "decision")) == [
        (firm.lisi.pk, ReviewDecision.APPROVED)
    ]


def test_an_action_the_position_does_not_allow_is_a_403(firm):
    case = firm.in_review_case()
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "approved"}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_submitting_with_an_unassessed_vehicle_is_a_409_naming_the_loss_item(firm):
    case = firm.assessing_case()
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/submit-for-review", {}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "incomplete"
    assert "loss_items.1" in error["fields"]
