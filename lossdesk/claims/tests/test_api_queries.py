"""Query counts of the case endpoints, and the OpenAPI schema."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from lossdesk.claims import services
from lossdesk.claims.choices import AttachmentKind, DocumentType, ResurveyReason
from lossdesk.testing import API, client_for, photo

pytestmark = pytest.mark.django_db


def queries_for(client, url: str, **params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_the_case_list_costs_the_same_queries_for_5_and_30_cases(firm):
    client = client_for(firm.zhaoliu)
    for i in range(5):
        firm.registered_case(client_claim_no=f"PICC-{i}")
    few, body = queries_for(client, f"{API}/cases", page_size=50)
    assert body["count"] == 5
    for i in range(5, 30):
        firm.registered_case(client_claim_no=f"PICC-{i}")
    many, body = queries_for(client, f"{API}/cases", page_size=50)
    assert body["count"] == 30 and len(body["results"]) == 30
    assert many == few
    assert few <= 6


def test_the_case_list_with_a_search_costs_the_same_queries_for_5_and_30_cases(firm):
    client = client_for(firm.zhaoliu)
    for i in range(5):
        firm.registered_case(client_claim_no=f"PICC-{i}")
    few, _ = queries_for(client, f"{API}/cases", q="浙A", page_size=50)
    for i in range(5, 30):
        firm.registered_case(client_claim_no=f"PICC-{i}")
    many, body = queries_for(client, f"{API}/cases", q="浙A", page_size=50)
    assert body["count"] == 30
    assert many == few


def test_the_case_detail_costs_the_same_queries_however_much_the_case_holds(firm):
    client = client_for(firm.lisi)
    small = firm.issued_case(client_claim_no="PICC-SMALL")
    small_count, _ = queries_for(client, f"{API}/cases/{small.case_no}")

    with time_machine.travel(timezone.now() - timedelta(days=1)):
        big = firm.approved_case(
            client_claim_no="PICC-BIG",
            third_party_vehicles=3,
            third_party_plates="浙B54321,浙C11111,浙D22222",
        )
    for hours in (1, 2):
        services.do_record_resurvey(
            big,
            arrived_at=timezone.now() - timedelta(hours=hours),
            reason=ResurveyReason.HIDDEN_DAMAGE,
            actor=firm.zhangsan,
        )
    for _ in range(4):
        services.do_add_attachment(
            big,
            photo(),
            kind=AttachmentKind.PHOTO,
            doc_type=DocumentType.SCENE_PHOTO,
            actor=firm.zhangsan,
        )
    services.do_request_documents(big, items="驾驶证", actor=firm.lisi)
    services.do_request_documents(big, items="行驶证", actor=firm.lisi)
    big_count, body = queries_for(client, f"{API}/cases/{big.case_no}")
    assert len(body["loss_items"]) == 4 and len(body["attachments"]) == 5
    assert len(body["document_requests"]) == 2 and len(body["resurveys"]) == 2
    assert big_count == small_count
    assert small_count <= 12  # the to-one relations joined to the case: decision 0030


def test_whether_a_reviewer_may_review_costs_the_detail_one_statement(firm):
    """The self-review check (services.review_refusal) reads the loss items, their
    documents and the reviews the detail holds already: a case under review costs a
    reviewer only the look at its timeline more than a case past review."""
    client = client_for(firm.lisi)
    past, _ = queries_for(client, f"{API}/cases/{firm.approved_case().case_no}")
    case = firm.in_review_case(third_party_vehicles=1, third_party_plates="浙B54321")
    under_review, body = queries_for(client, f"{API}/cases/{case.case_no}")
    assert "review" in body["available_actions"]
    assert under_review == past + 1


def test_the_openapi_schema_is_served_without_a_login_and_lists_the_case_actions(firm):
    response = APIClient().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for action in (
        "dispatch",
        "accept",
        "arrival",
        "complete-survey",
        "attachments",
        "submit-for-review",
        "review",
        "document-requests",
        "issue-report",
        "close",
        "cancel",
    ):
        assert "post" in paths[f"/api/v1/cases/{{case_no}}/{action}"], action
    assert "put" in paths["/api/v1/cases/{case_no}/survey"]
    assert set(paths["/api/v1/cases/{case_no}/loss-items/{seq}/sheet"]) == {
        "get",
        "put",
        "parameters",
    } or {"get", "put"} <= set(paths["/api/v1/cases/{case_no}/loss-items/{seq}/sheet"])
    review = paths["/api/v1/cases/{case_no}/review"]["post"]
    assert review["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ReviewInputRequest"
    )
    assert review["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Error"
    )
    assert "/api/v1/auth/token" in paths and "/api/v1/reports" in paths


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")
    assert (tmp_path / "s.yaml").read_text().startswith("openapi: 3.")
