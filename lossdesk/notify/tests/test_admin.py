"""The system administrator edits SMS texts in the admin; a body with a variable its event
does not supply is refused there."""

import pytest

from lossdesk.notify.models import SmsTemplate
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _change(client, template, body):
    return client.post(
        f"/admin/notify/smstemplate/{template.pk}/change/",
        {"name": template.name, "body": body, "active": "on"},
    )


def test_the_system_admin_edits_a_template_text(client, firm):
    template = SmsTemplate.objects.get(code="callback_link")
    assert client.login(username="sysadmin", password=PASSWORD)
    response = _change(client, template, "案件{case_no}已结案，请评价：{url}")
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "案件{case_no}已结案，请评价：{url}"
    assert template.variables == "case_no,url"  # read-only in the admin


def test_an_unknown_variable_is_a_form_error_in_the_admin(client, firm):
    template = SmsTemplate.objects.get(code="callback_link")
    assert client.login(username="sysadmin", password=PASSWORD)
    response = _change(client, template, "请致电{surveyor_phone}")
    assert response.status_code == 200
    assert "未知变量：surveyor_phone" in response.content.decode()
    template.refresh_from_db()
    assert "{surveyor_phone}" not in template.body


def test_other_administrators_cannot_edit_templates(client, firm):
    template = SmsTemplate.objects.get(code="callback_link")
    assert client.login(username="secadmin", password=PASSWORD)
    assert _change(client, template, "x{url}").status_code == 403
