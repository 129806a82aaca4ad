"""The case services name each refusal with a code (claims.error_codes) that reaches API
clients as `error.code`; the Chinese message is for people."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lossdesk.claims import services
from lossdesk.claims.choices import AttachmentKind
from lossdesk.claims.error_codes import CaseErrorCode
from lossdesk.core.errors import ServiceError
from lossdesk.testing import API, client_for, error_of, photo


def test_an_attachment_for_a_loss_item_the_case_lacks_is_loss_item_not_in_case(firm):
    case = firm.surveying_case()
    response = client_for(firm.zhangsan).post(
        f"{API}/cases/{case.case_no}/attachments",
        {"file": photo(), "kind": "photo", "doc_type": "damage_photo", "loss_item": 99},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "loss_item_not_in_case"


def test_a_document_request_due_yesterday_is_due_date_in_past(firm):
    case = firm.assessing_case()
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(firm.lisi).post(
        f"{API}/cases/{case.case_no}/document-requests",
        {"items": "驾驶证", "due_date": yesterday.isoformat()},
    )
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "due_date_in_past"


@pytest.mark.parametrize(
    ("act", "code"),
    [
        (
            lambda firm, case: services.do_cancel_case(case, reason="nonsense", actor=firm.zhaoliu),
            CaseErrorCode.INVALID_CANCEL_REASON,
        ),
        (
            lambda firm, case: services.do_cancel_case(case, reason="other", actor=firm.zhaoliu),
            CaseErrorCode.NOTE_REQUIRED,
        ),
        (
            lambda firm, case: services.do_request_documents(case, items=" ", actor=firm.lisi),
            CaseErrorCode.ITEMS_REQUIRED,
        ),
        (
            lambda firm, case: services.do_add_attachment(
                case,
                photo(),
                kind=AttachmentKind.PHOTO,
                doc_type="nonsense",
                actor=firm.zhangsan,
            ),
            CaseErrorCode.INVALID_DOCUMENT_TYPE,
        ),
    ],
)
def test_service_refusals_carry_their_code(firm, act, code):
    case = firm.assessing_case()
    with pytest.raises(ServiceError) as refused:
        act(firm, case)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"decision": "approved", "level": 3}, CaseErrorCode.INVALID_REVIEW_LEVEL),
        ({"decision": "maybe", "level": 1}, CaseErrorCode.INVALID_DECISION),
        ({"decision": "returned", "level": 1, "reason": " "}, CaseErrorCode.REASON_REQUIRED),
    ],
)
def test_review_refusals_carry_their_code(firm, kwargs, code):
    case = firm.in_review_case()
    with pytest.raises(ServiceError) as refused:
        services.do_review_case(case, actor=firm.lisi, **kwargs)
    assert refused.value.code == code
