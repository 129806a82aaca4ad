"""Every text a user can send has a maximum, in the page forms and in the API, so one field
cannot blow up a case page (issue 9: 10,000 characters were taken)."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

import lossdesk
from lossdesk.claims.tests.test_api_lifecycle import report_body
from lossdesk.core.limits import TEXT_MAX
from lossdesk.injury.forms import BILL_FIELDS as INJURY_BILL_FIELDS
from lossdesk.injury.forms import LINE_FIELDS as INJURY_LINE_FIELDS
from lossdesk.injury.forms import PERSON_TEXT_FIELDS as INJURY_PERSON_FIELDS
from lossdesk.property.sheet_forms import LINE_FIELDS
from lossdesk.testing import API, PASSWORD, client_for, error_of

# Fields that take any length on purpose, each with the place that bounds it.
BOUNDED_ELSEWHERE = {
    # The sheet editor's cells are raw text that motor.services.check_lines measures
    # together with every other error of the sheet (lossdesk/motor/tests/test_sheet_errors.py).
    **{
        ("lossdesk.motor.forms.LineForm", name): "motor.services.check_lines"
        for name in (
            "kind",
            "name",
            "part_no",
            "quantity",
            "unit_price",
            "salvage_value",
            "remarks",
        )
    },
    # The property sheet editor's cells likewise: property.services.clean_lines
    # (lossdesk/property/tests/test_views.py).
    **{
        ("lossdesk.property.sheet_forms.PropertyLineForm", name): "property.services.clean_lines"
        for name in LINE_FIELDS
    },
    # The injury page's person, bill and line inputs likewise: injury.services
    # (lossdesk/injury/tests/test_views.py).
    **{
        (f"lossdesk.injury.forms.{form}", name): (
            "injury.services.assessment.do_save_injury_assessment"
        )
        for form, names in (
            ("PersonForm", INJURY_PERSON_FIELDS),
            ("BillForm", INJURY_BILL_FIELDS),
            ("BillLineForm", INJURY_LINE_FIELDS),
        )
        for name in names
    },
    # Django's own password fields: org.passwords.MaximumLengthValidator bounds every path.
    ("lossdesk.org.admin.StaffCreationForm", "password1"): "AUTH_PASSWORD_VALIDATORS",
    ("lossdesk.org.admin.StaffCreationForm", "password2"): "AUTH_PASSWORD_VALIDATORS",
}


def _project_forms():
    for info in pkgutil.walk_packages(lossdesk.__path__, "lossdesk."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
            ):
                yield f"{module.__name__}.{name}", cls


def test_every_text_field_of_every_form_has_a_maximum():
    unbounded = [
        (form, name)
        for form, cls in _project_forms()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert unbounded, "the walk found no form field at all"  # guards the walk itself
    assert sorted(set(unbounded) - set(BOUNDED_ELSEWHERE)) == []


def _unbounded_strings(schema: dict, components: dict, path: str, found: set) -> None:
    while "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            _unbounded_strings(sub, components, path, found)
    if "properties" in schema:
        for name, prop in schema["properties"].items():
            if not prop.get("readOnly"):
                _unbounded_strings(prop, components, f"{path}.{name}", found)
    elif schema.get("type") == "array":
        _unbounded_strings(schema.get("items", {}), components, f"{path}[]", found)
    elif schema.get("type") == "string" and not (
        {"maxLength", "enum", "format", "pattern"} & set(schema)
    ):
        found.add(path)


def test_every_string_the_api_takes_has_a_maximum_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found: set[str] = set()
    bodies = 0
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                bodies += 1
                _unbounded_strings(content["schema"], components, f"{method} {url}", found)
    assert bodies > 20  # the walk saw the request bodies
    assert sorted(found) == []


@pytest.mark.django_db
def test_the_report_api_refuses_an_overlong_description_on_its_field(firm):
    body = report_body(firm, description="撞" * (TEXT_MAX + 1))
    response = client_for(firm.zhaoliu).post(f"{API}/reports", body, format="json")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"description"}


@pytest.mark.django_db
def test_the_survey_page_refuses_10000_characters_and_keeps_the_case_unchanged(client, firm):
    case = firm.surveying_case()
    client.login(username="zhangsan", password=PASSWORD)
    response = client.post(
        reverse("claims:case-survey", args=[case.case_no]),
        {
            "version": case.version,
            "scene": "first",
            "accident_type": "collision",
            "liability": "full",
            "description": "x" * 10_000,
        },
    )
    assert response.status_code == 400
    assert f"{TEXT_MAX}" in response.content.decode()
    case.refresh_from_db()
    assert not hasattr(case, "survey")


def test_a_password_longer_than_the_maximum_is_refused_by_the_validators():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("Aa1-" * 40)
    assert "password_too_long" in [e.code for e in refused.value.error_list]
