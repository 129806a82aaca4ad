"""Reporter and driver phones: a mobile or a fixed line with its area code (extension
optional), on the form, the API and the model; SMS only to mobiles, a fixed line is skipped
with a logged reason and the callback falls back to a phone call."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lossdesk.claims.tests.test_api_lifecycle import report_body
from lossdesk.core.validators import is_mobile, normalize_phone, validate_mobile, validate_phone
from lossdesk.intake.choices import CallbackMethod
from lossdesk.intake.models import Callback, Report
from lossdesk.intake.services.callbacks import do_create_callback
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.intake.tests.conftest import fresh, sms_to
from lossdesk.intake.tests.test_views import report_post
from lossdesk.testing import API, client_for, error_of

LANDLINE = "0571-88886666"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0571-88886666", "0571-88886666"),
        ("057188886666", "0571-88886666"),
        ("(0571) 8888 6666", "0571-88886666"),
        ("010-88886666", "010-88886666"),
        ("0571-88886666-123", "0571-88886666-123"),
        ("0571-88886666转8", "0571-88886666-8"),
        ("+86 138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
    ],
)
def test_a_phone_is_a_mobile_or_a_fixed_line_with_its_area_code(typed, stored):
    validate_phone(typed)
    assert normalize_phone(typed) == stored
    assert normalize_phone(stored) == stored  # stable


@pytest.mark.parametrize("typed", ["88886666", "12345", "1380013800", "13800138000-12", "abc"])
def test_a_number_without_area_code_or_of_the_wrong_length_is_no_phone(typed):
    with pytest.raises(ValidationError, match="电话号码不正确"):
        validate_phone(typed)


def test_an_sms_number_must_be_a_mobile_and_a_fixed_line_is_named_as_such():
    validate_mobile("13800138000")
    assert is_mobile("138 0013 8000") and not is_mobile(LANDLINE)
    with pytest.raises(ValidationError, match="固定电话，不能接收短信"):
        validate_mobile(LANDLINE)
    with pytest.raises(ValidationError, match="手机号码不正确"):
        validate_mobile("12345")


@pytest.mark.django_db
def test_the_report_form_takes_a_landline(client, firm):
    client.force_login(firm.zhaoliu)
    data = report_post(firm, reporter_phone="0571 88886666", driver_phone="0571-88886666-12")
    response = client.post(reverse("intake:report-new"), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter_phone, report.driver_phone) == (LANDLINE, "0571-88886666-12")


@pytest.mark.django_db
def test_the_report_api_takes_a_landline_and_refuses_a_bad_number_on_its_field(firm):
    api = client_for(firm.zhaoliu)
    created = api.post(f"{API}/reports", report_body(firm, reporter_phone="057188886666"))
    assert created.status_code == 201
    assert Report.objects.get().reporter_phone == LANDLINE
    bad = api.post(
        f"{API}/reports", report_body(firm, client_claim_no="PICC-2", driver_phone="88886666")
    )
    assert bad.status_code == 400
    assert error_of(bad)["fields"]["driver_phone"][0].startswith("电话号码不正确")


@pytest.mark.django_db
def test_a_landline_reporter_gets_no_sms_with_the_reason_logged(firm, mobile_zhangsan, caplog):
    case = firm.registered_case(reporter_phone=LANDLINE)
    with caplog.at_level(logging.WARNING, logger="lossdesk.intake.sms"):
        do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    assert fresh(case).status == "dispatched"  # the dispatch itself goes through
    assert not sms_to(case, "dispatch_to_customer")
    assert len(sms_to(case, "dispatch_to_surveyor")) == 1
    assert "固定电话，不能接收短信" in caplog.text and "88886666" not in caplog.text


@pytest.mark.django_db
def test_a_landline_reporter_is_called_back_by_phone_not_sent_a_link(firm, settings):
    settings.LOSSDESK_CALLBACK_METHOD = CallbackMethod.SMS
    case = firm.closed_case(reporter_phone=LANDLINE)
    do_create_callback(case)
    callback = Callback.objects.get(case=case)
    assert callback.method == CallbackMethod.PHONE and callback.token_hash is None
    assert not sms_to(case, "callback_link")
