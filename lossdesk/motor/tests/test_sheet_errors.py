"""A sheet's errors all at once, and salvage never above its line's amount: the rule, the
service, the editor page and the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lossdesk.core.errors import ServiceError
from lossdesk.motor import rules, services
from lossdesk.motor.forms import LINE_FIELDS
from lossdesk.motor.models import AssessmentSheet
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db

# Five lines, each wrong in its own way, the salvage one among them.
BAD_LINES = [
    {
        "kind": "replace",
        "name": "前大灯",
        "quantity": "1",
        "unit_price": "800",
        "salvage_value": "3000",
    },
    {"kind": "repair", "name": "", "quantity": "1", "unit_price": "300"},
    {"kind": "paint", "name": "喷漆", "quantity": "两个", "unit_price": "450"},
    {"kind": "labour", "name": "工时", "quantity": "1", "unit_price": "-5"},
    {"kind": "materials", "name": "辅" * 101, "quantity": "1", "unit_price": "10"},
]
EVERY_ERROR = {
    "lines.0.salvage_value": ["残值不能大于该项目金额。"],
    "lines.1.name": ["请填写项目名称。"],
    "lines.2.quantity": ["请输入数字。"],
    "lines.3.unit_price": ["不能小于 0。"],
    "lines.4.name": ["最多 100 个字。"],
}


def test_the_rule_refuses_salvage_above_the_line_amount_and_on_other_kinds():
    part = rules.Line("replace", Decimal("2"), Decimal("100"), Decimal("200.00"))
    assert rules.salvage_error(part) is None  # equal to the amount is allowed
    assert rules.salvage_error(rules.Line("replace", Decimal("1"), Decimal("800"), Decimal("3000")))
    assert rules.salvage_error(rules.Line("paint", Decimal("1"), Decimal("800"), Decimal("1")))
    assert rules.salvage_error(rules.Line("paint", Decimal("1"), Decimal("800"))) is None


def test_the_service_reports_every_error_of_every_line_in_one_refusal(firm):
    case = firm.assessing_case()
    item = case.loss_items.get(seq=1)
    with pytest.raises(ServiceError) as exc:
        services.do_save_assessment_sheet(item, lines=BAD_LINES, actor=firm.zhangsan)
    assert exc.value.fields == EVERY_ERROR
    assert not AssessmentSheet.objects.exists()


def test_the_api_reports_every_error_at_once_and_saves_nothing(firm):
    case = firm.assessing_case()
    version = case.version
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet", {"lines": BAD_LINES}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["fields"] == EVERY_ERROR
    assert not AssessmentSheet.objects.exists()
    case.refresh_from_db()
    assert case.version == version


def test_the_api_reports_a_bad_header_field_together_with_the_line_errors(firm):
    case = firm.assessing_case()
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet",
        {"repair_shop": 999999, "lines": BAD_LINES},
        format="json",
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"repair_shop", *EVERY_ERROR}


def test_the_api_refuses_salvage_above_the_line_amount_on_the_line(firm):
    case = firm.assessing_case()
    line = {
        "kind": "replace",
        "name": "雾灯",
        "quantity": 1,
        "unit_price": 100,
        "salvage_value": 150,
    }
    response = client_for(firm.zhangsan).put(
        f"{API}/cases/{case.case_no}/loss-items/1/sheet", {"lines": [line]}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"lines.0.salvage_value": ["残值不能大于该项目金额。"]}


def form_data(case, lines, **header) -> dict:
    data = {
        "version": case.version,
        "repair_shop": "",
        "vehicle_model": "",
        "remarks": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "300",
        **header,
    }
    for i, row in enumerate(lines):
        for name in LINE_FIELDS:
            data[f"lines-{i}-{name}"] = row.get(name, "")
    return data


def test_the_editor_shows_every_error_on_its_cell_at_once(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    response = client.post(
        reverse("motor:sheet-edit", args=[case.case_no, 1]), form_data(case, BAD_LINES)
    )
    assert response.status_code == 400
    formset = response.context["formset"]
    shown = {
        f"lines.{i}.{name}": errors
        for i, form in enumerate(formset.forms)
        for name, errors in form.errors.items()
    }
    assert shown == EVERY_ERROR
    # The salvage the rule refuses is not deducted: the total never goes below zero.
    assert response.context["totals"].salvage == Decimal("0.00")
    assert response.context["totals"].total >= 0
    assert not AssessmentSheet.objects.exists()


def test_the_editor_shows_line_errors_beside_a_header_error(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    response = client.post(
        reverse("motor:sheet-edit", args=[case.case_no, 1]),
        form_data(case, BAD_LINES, repair_shop="999999"),
    )
    assert response.status_code == 400
    assert "repair_shop" in response.context["header"].errors
    forms = response.context["formset"].forms
    assert forms[0].errors == {"salvage_value": ["残值不能大于该项目金额。"]}
    assert forms[3].errors == {"unit_price": ["不能小于 0。"]}
    assert not AssessmentSheet.objects.exists()
