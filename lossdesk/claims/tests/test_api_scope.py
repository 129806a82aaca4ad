"""Scope, state and concurrency over the API: a case outside the caller's scope is a 404 on
every endpoint; an illegal transition and a stale version are 409s that change nothing."""

import pytest

from lossdesk.claims import services
from lossdesk.claims.api.testing import API, client_for, error_of
from lossdesk.claims.choices import CaseStatus, ReviewDecision
from lossdesk.claims.models import Attachment, CaseEvent, DocumentRequest, Review
from lossdesk.intake import services as intake_services
from lossdesk.testing import LINES, SURVEY, photo

pytestmark = pytest.mark.django_db


def every_case_endpoint(case, attachment_id: int, request_id: int) -> list[tuple]:
    """(method, path, body, format) for each endpoint under /cases/{case_no}."""
    base = f"{API}/cases/{case.case_no}"
    return [
        ("get", base, None, None),
        ("get", f"{base}/events", None, None),
        ("get", f"{base}/surveyors", None, None),
        ("post", f"{base}/dispatch", {"surveyor": 1}, "json"),
        ("post", f"{base}/accept", {}, "json"),
        ("post", f"{base}/arrival", {}, "json"),
        ("put", f"{base}/survey", SURVEY, "json"),
        ("post", f"{base}/complete-survey", {}, "json"),
        ("post", f"{base}/attachments", {"file": photo(), "kind": "photo"}, "multipart"),
        ("get", f"{base}/attachments/{attachment_id}/file", None, None),
        ("get", f"{base}/loss-items/1/sheet", None, None),
        ("put", f"{base}/loss-items/1/sheet", {"lines": LINES}, "json"),
        ("post", f"{base}/submit-for-review", {}, "json"),
        ("post", f"{base}/review", {"decision": "approved"}, "json"),
        ("post", f"{base}/document-requests", {"items": "驾驶证"}, "json"),
        ("post", f"{base}/document-requests/{request_id}/fulfil", {}, "json"),
        ("post", f"{base}/issue-report", {}, "json"),
        ("get", f"{base}/report.pdf", None, None),
        ("post", f"{base}/close", {}, "json"),
        ("post", f"{base}/cancel", {"reason": "duplicate"}, "json"),
    ]


def test_a_surveyor_of_another_branch_gets_404_on_every_case_endpoint(firm):
    case = firm.assessed_case()
    document_request = services.do_request_documents(case, items="驾驶证", actor=firm.lisi)
    case.refresh_from_db()
    attachment = case.attachments.get()
    events_before = CaseEvent.objects.count()
    wangwu = client_for(firm.wangwu)

    for method, path, body, fmt in every_case_endpoint(case, attachment.pk, document_request.pk):
        kwargs = {"format": fmt} if fmt else {}
        response = getattr(wangwu, method)(path, body, **kwargs)
        assert response.status_code == 404, (method, path, response.status_code)
        error = error_of(response)
        assert error["code"] == "not_found", (method, path)
        assert error["message"] == "案件不存在或不在您的数据范围内。"

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DOCUMENTS
    assert CaseEvent.objects.count() == events_before


def test_the_same_endpoints_answer_the_case_surveyor_with_something_else_than_404(firm):
    """The counterpart of the test above: the 404s come from the scope, not the paths."""
    case = firm.issued_case()
    document_request = DocumentRequest.objects.create(
        case=case, items="驾驶证", requested_by=firm.lisi
    )
    attachment = case.attachments.get()
    zhangsan = client_for(firm.zhangsan)
    for method, path, body, fmt in every_case_endpoint(case, attachment.pk, document_request.pk):
        kwargs = {"format": fmt} if fmt else {}
        response = getattr(zhangsan, method)(path, body, **kwargs)
        assert response.status_code != 404, (method, path, response.content)


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
    intake_services.do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
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
