"""A case from report to close driven by the REST API alone, with Bearer tokens."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lossdesk.claims.choices import CaseStatus, EventType
from lossdesk.claims.models import Case
from lossdesk.testing import (
    API,
    LINES,
    LINES_TOTAL,
    PASSWORD,
    SURVEY,
    VALID_VINS,
    client_for,
    error_of,
    photo,
)

pytestmark = pytest.mark.django_db


def report_body(firm, **overrides) -> dict:
    now = timezone.now()
    body = {
        "client": firm.client.pk,
        "client_branch": firm.client_branch.pk,
        "client_claim_no": "PICC-API-0001",
        "policy_no_ctpl": "PDZA202633010000001234",
        "policy_no_commercial": "PDAA202633010000005678",
        "plate": "浙A12345",
        "vin": VALID_VINS[0],
        "reporter_name": "陈先生",
        "reporter_phone": "13812345678",
        "driver_name": "陈先生",
        "driver_phone": "13812345678",
        "accident_time": (now - timedelta(hours=2)).isoformat(),
        "accident_place": "杭州市西湖区文三路与学院路交叉口",
        "description": "追尾前车，前保险杠受损。",
        "third_party_vehicles": 1,
        "third_party_plates": "浙B54321",
        "property_loss": False,
        "injured_persons": 0,
    }
    body.update(overrides)
    return body


def login(username: str) -> APIClient:
    """A client holding the token that POST /auth/token hands out for `username`."""
    response = APIClient().post(
        f"{API}/auth/token", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


def test_a_case_travels_from_report_to_close_through_the_api_alone(firm):
    dispatcher, surveyor, reviewer = login("zhaoliu"), login("zhangsan"), login("lisi")

    response = dispatcher.post(f"{API}/reports", report_body(firm), format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    case_no, version = case["case_no"], case["version"]
    assert case["status"] == "registered"
    assert case["report"]["report_no"].startswith("R")
    assert response["Location"].endswith(f"/cases/{case_no}")
    assert [item["kind"] for item in case["loss_items"]] == [
        "insured_vehicle",
        "third_party_vehicle",
    ]
    base = f"{API}/cases/{case_no}"

    surveyors = dispatcher.get(f"{base}/surveyors").json()
    assert firm.zhangsan.pk in [s["id"] for s in surveyors]
    case = dispatcher.post(
        f"{base}/dispatch", {"surveyor": firm.zhangsan.pk, "version": version}, format="json"
    ).json()
    assert case["status"] == "dispatched" and case["surveyor"]["id"] == firm.zhangsan.pk

    case = surveyor.post(f"{base}/accept", {"version": case["version"]}, format="json").json()
    assert case["status"] == "surveying"
    case = surveyor.post(f"{base}/arrival", {"version": case["version"]}, format="json").json()
    assert case["dispatches"][-1]["arrived_at"]
    response = surveyor.put(f"{base}/survey", {**SURVEY, "version": case["version"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["survey"]["liability_ratio"] == "1.00"

    response = surveyor.post(
        f"{base}/attachments",
        {"file": photo(), "kind": "photo", "doc_type": "damage_photo", "loss_item": 1},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["loss_item"] == 1 and attachment["content_type"] == "image/jpeg"
    download = surveyor.get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"\xff\xd8"  # a JPEG

    case = surveyor.post(
        f"{base}/complete-survey", {"version": attachment["case_version"]}, format="json"
    ).json()
    assert case["status"] == "assessing"

    version = case["version"]
    for item in case["loss_items"]:
        response = surveyor.put(
            f"{base}/loss-items/{item['seq']}/sheet",
            {"repair_shop": firm.repair_shop.pk, "lines": LINES, "version": version},
            format="json",
        )
        assert response.status_code == 200, response.content
        sheet = response.json()
        assert sheet["total"] == str(LINES_TOTAL) and len(sheet["lines"]) == len(LINES)
        version = sheet["case_version"]
    assert surveyor.get(f"{base}/loss-items/1/sheet").json()["lines"][0]["amount"] == "1280.00"

    case = surveyor.post(f"{base}/submit-for-review", {"version": version}, format="json").json()
    assert case["status"] == "in_review"
    assert case["assessed_amount"] == str(2 * LINES_TOTAL)

    case = reviewer.get(base).json()
    assert "review" in case["available_actions"]
    case = reviewer.post(
        f"{base}/review", {"decision": "approved", "version": case["version"]}, format="json"
    ).json()
    assert case["status"] == "approved" and case["approved_amount"] == str(2 * LINES_TOTAL)

    case = reviewer.post(f"{base}/issue-report", {"version": case["version"]}, format="json").json()
    assert case["status"] == "report_issued"
    pdf = reviewer.get(case["adjusting_report"]["download_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    case = reviewer.post(f"{base}/close", {"version": case["version"]}, format="json").json()
    assert case["status"] == "closed" and case["closed_at"]
    assert case["available_actions"] == []
    assert Case.objects.get(case_no=case_no).status == CaseStatus.CLOSED

    events = reviewer.get(f"{base}/events").json()["results"]
    assert events[0]["type"] == EventType.REPORT_REGISTERED
    assert events[-1]["type"] == EventType.CLOSED
    assert events[-1]["actor"]["full_name"] == "李四"


def test_a_document_request_pauses_the_case_and_its_fulfilment_resumes_it(firm):
    case = firm.in_review_case()
    reviewer = client_for(firm.lisi)
    base = f"{API}/cases/{case.case_no}"
    due = (timezone.localdate() + timedelta(days=3)).isoformat()

    response = reviewer.post(
        f"{base}/document-requests", {"items": "事故认定书", "due_date": due}, format="json"
    )
    assert response.status_code == 201, response.content
    request = response.json()
    assert request["status"] == "open" and request["due_date"] == due
    detail = reviewer.get(base).json()
    assert detail["status"] == "awaiting_documents"
    assert detail["resume_status"] == "in_review"
    assert detail["version"] == request["case_version"]

    response = reviewer.post(
        f"{base}/document-requests/{request['id']}/fulfil",
        {"note": "已收到", "version": request["case_version"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == "in_review" and detail["resume_status"] is None
    assert detail["document_requests"][0]["fulfilled_by"]["full_name"] == "李四"


def test_a_dispatcher_cancels_a_case_with_a_reason(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/cancel",
        {"reason": "duplicate", "note": "与 C001 重复", "version": case.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "duplicate"
    assert body["cancel_note"] == "与 C001 重复"


def test_the_case_detail_masks_phones_for_a_position_without_pii_rights(firm):
    case = firm.assessing_case()
    assessor = client_for(firm.qianqi).get(f"{API}/cases/{case.case_no}").json()
    dispatcher = client_for(firm.zhaoliu).get(f"{API}/cases/{case.case_no}").json()
    assert assessor["report"]["reporter_phone"] == "138****5678"
    assert assessor["report"]["driver_phone"] == "138****5678"
    assert dispatcher["report"]["reporter_phone"] == "13812345678"


def test_the_case_detail_lists_what_the_case_holds_and_money_as_strings(firm):
    case = firm.issued_case()
    body = client_for(firm.lisi).get(f"{API}/cases/{case.case_no}").json()
    assert body["version"] == case.version
    assert body["approved_amount"] == str(2 * LINES_TOTAL)
    assert body["loss_items"][0]["sheet"]["total"] == str(LINES_TOTAL)
    assert body["survey"]["liability"] == "full"
    assert body["attachments"][0]["download_url"].startswith("http://testserver/api/v1/")
    assert body["reviews"][0]["decision"] == "approved"
    assert Decimal(body["reviews"][0]["amount"]) == 2 * LINES_TOTAL
    assert body["adjusting_report"]["report_no"].startswith("GB")
    assert body["available_actions"] == ["add_attachment", "close"]  # a reviewer cannot cancel


def test_case_list_filters_by_status_and_searches_by_plate(firm):
    registered = firm.registered_case(plate="浙A99999")
    assessing = firm.assessing_case()
    client = client_for(firm.zhaoliu)
    rows = client.get(f"{API}/cases", {"status": "assessing"}).json()["results"]
    assert [r["case_no"] for r in rows] == [assessing.case_no]
    rows = client.get(f"{API}/cases", {"q": "浙a99999"}).json()["results"]
    assert [r["case_no"] for r in rows] == [registered.case_no]
    today = timezone.localdate().isoformat()
    assert client.get(f"{API}/cases", {"opened_after": today}).json()["count"] == 2
    assert client.get(f"{API}/cases", {"opened_before": "2000-01-01"}).json()["count"] == 0


def test_an_unknown_filter_value_is_a_400_with_the_field(firm):
    response = client_for(firm.zhaoliu).get(f"{API}/cases", {"status": "nope"})
    assert response.status_code == 400
    assert "status" in error_of(response)["fields"]


def test_the_token_endpoint_hands_out_a_new_token_per_login(firm):
    client = APIClient()
    first = client.post(
        f"{API}/auth/token", {"username": "lisi", "password": PASSWORD}, format="json"
    )
    second = client.post(
        f"{API}/auth/token", {"username": "lisi", "password": PASSWORD}, format="json"
    )
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]


def test_a_wrong_password_gets_a_400_with_a_clear_message(firm):
    response = APIClient().post(
        f"{API}/auth/token", {"username": "lisi", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["message"] == "用户名或密码错误。"


def test_an_inactive_user_gets_no_token(firm):
    firm.lisi.is_active = False
    firm.lisi.save()
    response = APIClient().post(
        f"{API}/auth/token", {"username": "lisi", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "停用" in error_of(response)["message"]


def test_missing_credentials_are_reported_per_field(firm):
    response = APIClient().post(f"{API}/auth/token", {}, format="json")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"username", "password"}


def test_a_revoked_token_no_longer_authenticates(firm):
    client = login("lisi")
    assert client.delete(f"{API}/auth/token").status_code == 204
    response = client.get(f"{API}/cases")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_a_request_without_a_token_is_a_401_with_the_error_body(firm):
    response = APIClient().get(f"{API}/cases")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_api_path_is_a_404_with_the_error_body(firm):
    response = client_for(firm.lisi).get(f"{API}/no-such-thing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_is_a_405_with_the_error_body(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).get(f"{API}/cases/{case.case_no}/close")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_the_report_pdf_downloads_whatever_the_accept_header(firm):
    case = firm.issued_case()
    response = client_for(firm.lisi).get(
        f"{API}/cases/{case.case_no}/report.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_report_pdf_of_a_case_without_a_report_is_a_json_404(firm):
    case = firm.approved_case()
    response = client_for(firm.lisi).get(
        f"{API}/cases/{case.case_no}/report.pdf", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert error_of(response)["message"] == "本案尚未出具公估报告。"
