"""Bad input over the API: a 400 with field messages, and nothing saved."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Attachment, Case, CaseEvent, Review
from lossdesk.claims.tests.test_api_lifecycle import report_body
from lossdesk.intake.models import Report
from lossdesk.motor.models import AssessmentLine, AssessmentSheet
from lossdesk.testing import API, LINES, VALID_VINS, client_for, error_of

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Report.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        Attachment.objects.count(),
        AssessmentSheet.objects.count(),
        AssessmentLine.objects.count(),
        Review.objects.count(),
    )


def post_report(firm, **overrides):
    return client_for(firm.zhaoliu).post(
        f"{API}/reports", report_body(firm, **overrides), format="json"
    )


def wrong_check_digit(vin: str) -> str:
    return vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"plate": "浙12345"}, "plate", "车牌号格式不正确"),
        ({"vin": wrong_check_digit(VALID_VINS[0])}, "vin", "校验位"),
        ({"reporter_phone": "1234"}, "reporter_phone", "电话号码不正确"),
        ({"third_party_plates": "浙B54321,浙C11111"}, "third_party_plates", "多于"),
    ],
)
def test_a_report_with_a_bad_field_is_a_400_naming_the_field(firm, overrides, field, words):
    before = counts()
    response = post_report(firm, **overrides)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid"
    assert words in " ".join(error["fields"][field])
    assert counts() == before


def test_a_report_of_an_accident_in_the_future_is_refused(firm):
    before = counts()
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    response = post_report(firm, accident_time=tomorrow)
    assert response.status_code == 400
    assert "accident_time" in error_of(response)["fields"]
    assert counts() == before


def test_a_report_missing_required_fields_lists_each_of_them(firm):
    response = client_for(firm.zhaoliu).post(f"{API}/reports", {}, format="json")
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    for name in ("client", "client_claim_no", "plate", "reporter_phone", "accident_time"):
        assert name in fields
    assert Report.objects.count() == 0


def test_a_client_claim_number_reused_for_another_accident_is_a_409_on_that_field(firm):
    # A retry of the same report is answered with the first result (intake API tests);
    # the same claim number with another plate is a conflict and saves nothing.
    assert post_report(firm).status_code == 201
    before = counts()
    response = post_report(firm, plate="浙A99999")
    assert response.status_code == 409
    assert "client_claim_no" in error_of(response)["fields"]
    assert counts() == before


def test_a_client_branch_of_another_client_is_refused(firm):
    from lossdesk.org.models import Client, ClientBranch

    other = Client.objects.create(code="cpic", name="太平洋财产保险", short_name="太保")
    foreign = ClientBranch.objects.create(client=other, name="宁波分公司")
    response = post_report(firm, client_branch=foreign.pk)
    assert response.status_code == 400
    assert "client_branch" in error_of(response)["fields"]


def test_a_position_without_report_rights_cannot_register(firm):
    response = client_for(firm.qianqi).post(f"{API}/reports", report_body(firm), format="json")
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_a_negative_unit_price_in_a_sheet_line_is_a_400_and_saves_nothing(firm):
    case = firm.assessing_case()
    before, version = counts(), case.version
    lines = [dict(LINES[0]), {**LINES[1], "unit_price": "-5"}]
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet", {"lines": lines}, format="json"
    )
    assert response.status_code == 400
    assert "lines.1.unit_price" in error_of(response)["fields"]
    assert counts() == before
    case.refresh_from_db()
    assert case.version == version


def test_a_sheet_line_business_rule_comes_back_as_a_field_message(firm):
    """Salvage on a non-replaced line passes the types but not motor.services."""
    case = firm.assessing_case()
    before = counts()
    lines = [{**LINES[1], "salvage_value": "10"}]
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet", {"lines": lines}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["fields"]["lines.0.salvage_value"] == ["只有换件项目有残值。"]
    assert counts() == before


def test_a_sheet_without_lines_is_refused(firm):
    case = firm.assessing_case()
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet", {"lines": []}, format="json"
    )
    assert response.status_code == 400
    assert "lines" in error_of(response)["fields"]


def test_a_sheet_of_an_unknown_loss_item_is_a_404(firm):
    case = firm.assessing_case()
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/9/sheet", {"lines": LINES}, format="json"
    )
    assert response.status_code == 404


def test_an_unknown_review_decision_is_a_400_and_records_no_review(firm):
    case = firm.in_review_case()
    before = counts()
    response = client_for(firm.lisi).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert "decision" in error_of(response)["fields"]
    assert counts() == before


def test_returning_without_a_reason_is_a_400_on_the_reason(firm):
    case = firm.in_review_case()
    response = client_for(firm.lisi).post(
        f"{API}/cases/{case.case_no}/review", {"decision": "returned"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in error_of(response)["fields"]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_an_unknown_cancel_reason_is_a_400_and_the_case_stays_open(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/cancel", {"reason": "bored"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in error_of(response)["fields"]
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED


def test_a_photo_that_is_not_an_image_is_a_400_and_stores_nothing(firm):
    case = firm.surveying_case()
    before = counts()
    fake = SimpleUploadedFile("damage.jpg", b"not really a jpeg", content_type="image/jpeg")
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/attachments",
        {"file": fake, "kind": "photo", "doc_type": "damage_photo"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]
    assert counts() == before


def test_an_upload_without_a_file_lists_the_missing_fields(firm):
    case = firm.surveying_case()
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/attachments", {"kind": "photo"}, format="multipart"
    )
    assert response.status_code == 400
    assert {"file", "doc_type"} <= set(error_of(response)["fields"])


def test_dispatching_to_a_surveyor_of_another_branch_is_a_400_on_the_surveyor(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/dispatch", {"surveyor": firm.wangwu.pk}, format="json"
    )
    assert response.status_code == 400
    assert "surveyor" in error_of(response)["fields"]
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and case.surveyor is None


def test_a_survey_with_an_unknown_liability_is_a_400(firm):
    case = firm.surveying_case()
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/survey",
        {"scene": "first", "accident_type": "scrape", "liability": "most", "description": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "liability" in error_of(response)["fields"]


def test_a_document_request_due_in_the_past_is_refused(firm):
    case = firm.in_review_case()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(firm.lisi).post(
        f"{API}/cases/{case.case_no}/document-requests",
        {"items": "驾驶证", "due_date": yesterday},
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in error_of(response)["fields"]
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_malformed_json_is_a_400_with_the_error_body(firm):
    case = firm.registered_case()
    response = client_for(firm.zhaoliu).post(
        f"{API}/cases/{case.case_no}/cancel", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"
