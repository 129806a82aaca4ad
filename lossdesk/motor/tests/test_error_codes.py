"""Each refusal of the sheet API reaches the client as its code (motor.error_codes, or
core's shared codes: `illegal_transition` for an item whose state forbids editing,
`invalid` with a message per cell for bad lines)."""

import pytest
from django.urls import get_resolver

from lossdesk.claims import registry
from lossdesk.claims.choices import LossItemKind, LossItemStatus
from lossdesk.claims.models import LossItem
from lossdesk.core.errors import ServiceError
from lossdesk.motor.services import do_save_assessment_sheet
from lossdesk.testing import API, LINES, client_for, error_of

pytestmark = pytest.mark.django_db


def put_sheet(firm, case, seq, lines):
    return client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/{seq}/sheet",
        {"lines": lines, "version": case.version},
        format="json",
    )


def test_a_vehicle_sheet_for_a_loss_item_that_is_not_a_vehicle_is_loss_item_not_vehicle(firm):
    # The API sends a property item to the property line's resource; the vehicle sheet's
    # service still refuses one handed to it directly.
    case = firm.assessing_case(property_loss=True)
    item = case.loss_items.get(kind=LossItemKind.PROPERTY)
    with pytest.raises(ServiceError) as refused:
        do_save_assessment_sheet(item, lines=LINES, actor=firm.zhangsan)
    assert refused.value.code == "loss_item_not_vehicle"


def test_a_sheet_for_a_kind_no_line_assesses_is_loss_item_has_no_sheet(firm, monkeypatch):
    assert get_resolver().url_patterns  # the URLs (their schema names every line) load first
    lines = {k: v for k, v in registry._LINES.items() if LossItemKind.INJURY not in v.kinds}
    monkeypatch.setattr(registry, "_LINES", lines)  # every kind has a line today
    case = firm.assessing_case()
    LossItem.objects.create(case=case, seq=9, kind=LossItemKind.INJURY, label="行人 李某")
    response = put_sheet(firm, case, 9, LINES)
    assert response.status_code == 400
    assert error_of(response)["code"] == "loss_item_has_no_sheet"


def test_a_sheet_for_a_cancelled_loss_item_is_an_illegal_transition(firm):
    case = firm.assessing_case()
    # No service cancels a single item yet; the state is what the sheet service checks.
    LossItem.objects.filter(case=case, seq=1).update(status=LossItemStatus.CANCELLED)
    response = put_sheet(firm, case, 1, LINES)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "illegal_transition"
    assert error["current_state"] == LossItemStatus.CANCELLED
    assert (
        error["message"] == "损失标的当前状态为「已注销」，不能执行「定损」。"
    )  # LOSS_ITEM_STATES


def test_bad_sheet_lines_are_invalid_with_a_message_per_cell(firm):
    case = firm.assessing_case()
    response = put_sheet(firm, case, 1, [{**LINES[0], "quantity": "两个"}])
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["lines.0.quantity"]


def test_a_sheet_saved_over_another_edit_is_a_conflict_with_the_saved_sheet(firm):
    case = firm.assessing_case()
    version = case.version
    assert put_sheet(firm, case, 1, LINES).status_code == 200
    late = client_for(firm.qianqi).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet",
        {"lines": LINES[:1], "version": version},
        format="json",
    )
    assert late.status_code == 409
    error = error_of(late)
    assert error["code"] == "conflict" and error["current_version"] == version + 1
    assert error["current_sheet"]["assessor"]["full_name"] == firm.zhangsan.full_name
    assert len(error["current_sheet"]["lines"]) == len(LINES)
