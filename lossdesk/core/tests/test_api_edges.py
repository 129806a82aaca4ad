"""API edges: OPTIONS on every case endpoint, the JSON 404 for unknown paths whatever the method
and CSRF state, the case's timeline and delegations paged like every list, null where the
schema says nullable, and the error statuses every operation documents."""

import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from lossdesk.claims.choices import EventType
from lossdesk.intake.services.delegation import do_request_delegation
from lossdesk.testing import API, PASSWORD, client_for, error_of, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


# ------------------------------------------------------------------------------ OPTIONS


def test_options_on_the_survey_and_the_sheet_describe_their_put_body(firm):
    case = firm.assessed_case()
    zhangsan = client_for(firm.zhangsan)

    survey = zhangsan.options(f"{API}/cases/{case.case_no}/survey")
    sheet = zhangsan.options(f"{API}/cases/{case.case_no}/loss-items/1/sheet")

    assert survey.status_code == 200, survey.content
    assert set(survey.json()["actions"]["PUT"]) == {
        "version",
        "scene",
        "accident_type",
        "liability",
        "weather",
        "description",
        "travel_km",
    }
    assert sheet.status_code == 200, sheet.content
    assert "lines" in sheet.json()["actions"]["PUT"]


def test_options_answers_200_on_every_case_endpoint(firm, openapi):
    case = firm.assessed_case()
    attachment = case.attachments.get()
    values = {"case_no": case.case_no, "seq": 1, "id": attachment.pk, "verb": "accept"}
    zhaoliu = client_for(firm.zhaoliu)
    templates = [t for t in openapi["paths"] if t.startswith(f"{API}/cases/")]

    answers = {}
    for template in templates:
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        answers[template] = zhaoliu.options(path).status_code

    assert f"{API}/cases/{{case_no}}/loss-items/{{seq}}/sheet" in templates
    assert answers == dict.fromkeys(templates, 200)


# ------------------------------------------------------------------------- unknown paths


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get"])
def test_an_unknown_api_path_is_a_json_404_for_a_session_without_csrf_token(firm, method):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="zhaoliu", password=PASSWORD)

    response = getattr(browser, method)(f"{API}/cases/C1/no-such-action")

    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "接口不存在。", "fields": {}}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_an_unknown_api_path_is_a_json_404_without_credentials(method):
    response = getattr(APIClient(enforce_csrf_checks=True), method)(f"{API}/no-such-thing")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_csrf_still_guards_a_real_endpoint_for_a_session(firm):
    case = firm.registered_case()
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="zhaoliu", password=PASSWORD)

    response = browser.post(f"{API}/cases/{case.case_no}/cancel", {"reason": "duplicate"})

    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.status == "registered"


# ----------------------------------------------------------------------------- paging


def test_the_timeline_is_paged_like_every_list(firm):
    case = firm.assessed_case()
    lisi = client_for(firm.lisi)
    total = case.events.count()

    first = lisi.get(f"{API}/cases/{case.case_no}/events", {"page_size": 2}).json()
    last = lisi.get(f"{API}/cases/{case.case_no}/events", {"page_size": total}).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == total and len(first["results"]) == 2 and first["next"]
    assert first["results"][0]["type"] == EventType.REPORT_REGISTERED
    assert last["next"] is None and len(last["results"]) == total


def test_the_delegations_of_a_case_are_paged_like_every_list(firm):
    case = firm.registered_case()
    do_request_delegation(case, to_branch=firm.nanjing, actor=firm.zhaoliu)

    body = client_for(firm.zhaoliu).get(f"{API}/cases/{case.case_no}/delegations").json()

    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert body["results"][0]["to_branch"] == firm.nanjing.pk
    assert body["results"][0]["loss_item"] is None


def test_the_schema_pages_exactly_the_lists_the_code_pages(openapi):
    def ok_schema(path):
        return openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]

    assert ok_schema("/api/v1/cases/{case_no}/events") == {
        "$ref": "#/components/schemas/PaginatedCaseEventList"
    }
    assert ok_schema("/api/v1/cases/{case_no}/delegations") == {
        "$ref": "#/components/schemas/PaginatedDelegationList"
    }
    assert ok_schema("/api/v1/price-queries") == {
        "$ref": "#/components/schemas/PaginatedPriceQueryList"
    }
    assert ok_schema("/api/v1/cases/{case_no}/recommendations")["type"] == "array"


# ------------------------------------------------------------------------ null and schema


def test_a_whole_case_attachment_has_a_null_loss_item_and_the_schema_says_so(firm, openapi):
    case = firm.assessed_case()  # its photo belongs to no loss item

    body = client_for(firm.zhangsan).get(f"{API}/cases/{case.case_no}").json()

    assert body["attachments"][0]["loss_item"] is None
    components = openapi["components"]["schemas"]
    assert components["Attachment"]["properties"]["loss_item"]["nullable"] is True
    assert components["Delegation"]["properties"]["loss_item"]["nullable"] is True


def test_every_operation_documents_the_errors_of_its_kind_in_the_error_body(openapi):
    undocumented = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            expected = set()
            if operation.get("security") and {} not in operation["security"]:
                expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            if "requestBody" in operation:
                expected |= {"400", "415"}
            responses = operation["responses"]
            undocumented += [(method, path, s) for s in sorted(expected - set(responses))]
            for status in expected & set(responses):
                body = responses[status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert undocumented == []


# ------------------------------------------------------------------------- upload codes


def test_an_upload_over_the_byte_limit_is_a_400_file_too_large(firm, settings):
    case = firm.surveying_case()
    upload = photo()
    settings.LOSSDESK_MAX_ATTACHMENT_SIZE = upload.size - 1
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/attachments",
        {"file": upload, "kind": "photo", "doc_type": "damage_photo"},
        format="multipart",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "file_too_large"
    assert "file" in error["fields"]
    assert not case.attachments.exists()
