"""The outbox page and API: who sees which message, and customers' numbers masked for
positions without org.view_pii (李四 the reviewer has none; 赵六 the dispatcher has it)."""

import pytest
from django.urls import reverse

from lossdesk.notify.choices import Recipient, SmsStatus
from lossdesk.notify.services import send_sms
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db

CUSTOMER, SURVEYOR = "13812345678", "13900001111"


@pytest.fixture
def messages(firm, dispatch_context, django_capture_on_commit_callbacks):
    hangzhou_case = firm.registered_case()
    ningbo_case = firm.registered_case(client_claim_no="NB-1")
    ningbo_case.branch = firm.ningbo
    ningbo_case.save(update_fields=["branch"])
    with django_capture_on_commit_callbacks(execute=True):
        to_surveyor = send_sms(
            SURVEYOR,
            "dispatch_to_surveyor",
            {**dispatch_context, "case_no": hangzhou_case.case_no},
            case=hangzhou_case,
            recipient=Recipient.SURVEYOR,
            actor=firm.zhaoliu,
        )
        to_customer = send_sms(
            CUSTOMER,
            "dispatch_to_customer",
            {"surveyor_name": "张三", "surveyor_phone": SURVEYOR, "eta_minutes": 20},
            case=hangzhou_case,
            actor=firm.zhaoliu,
        )
        in_ningbo = send_sms(
            "13700002222",
            "callback_link",
            {"case_no": ningbo_case.case_no, "url": "https://x.example/cb"},
            case=ningbo_case,
            actor=firm.wushi,
        )
    return {"surveyor": to_surveyor, "customer": to_customer, "ningbo": in_ningbo}


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_outbox_shows_a_dispatcher_every_number_in_full(client, firm, messages):
    response = login(client, "zhaoliu").get(reverse("notify:outbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert CUSTOMER in html  # the customer's number and the one inside the surveyor's SMS
    assert html.count(SURVEYOR) >= 2
    assert "13700002222" not in html  # 宁波's message is outside 赵六's branch
    assert 'name="phone"' in html  # may search by number


def test_the_outbox_masks_customer_numbers_for_a_reviewer_without_view_pii(client, firm, messages):
    response = login(client, "lisi").get(reverse("notify:outbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert CUSTOMER not in html
    assert "138****5678" in html
    # the surveyor's number is a work number: in full as recipient, masked inside the texts
    assert f'data-testid="sms-phone">{SURVEYOR}<' in html
    assert "139****1111" in html
    assert 'name="phone"' not in html  # no probing by number without the right to see them


def test_a_masked_viewer_cannot_search_the_outbox_by_phone(client, firm, messages):
    response = login(client, "lisi").get(reverse("notify:outbox"), {"phone": CUSTOMER})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 2  # the filter is ignored


def test_a_dispatcher_finds_a_message_by_phone_and_status(client, firm, messages):
    response = login(client, "zhaoliu").get(
        reverse("notify:outbox"), {"phone": "138 1234 5678", "status": SmsStatus.SENT}
    )
    assert [m.pk for m in response.context["sms_messages"]] == [messages["customer"].pk]


def test_the_message_page_shows_the_delivery_log_with_masking(client, firm, messages):
    url = reverse("notify:message-detail", args=[messages["customer"].pk])
    html = login(client, "lisi").get(url).content.decode()
    assert "138****5678" in html and CUSTOMER not in html
    assert "发送成功" in html  # the delivery log row
    assert "重新发送" not in html


def test_a_message_outside_the_users_scope_is_a_404(client, firm, messages):
    url = reverse("notify:message-detail", args=[messages["customer"].pk])
    assert login(client, "wushi").get(url).status_code == 404
    resend = reverse("notify:message-resend", args=[messages["customer"].pk])
    assert client.post(resend).status_code == 404


def test_a_surveyor_has_no_outbox(client, firm, messages):
    assert login(client, "zhangsan").get(reverse("notify:outbox")).status_code == 403


def test_a_dispatcher_resends_a_failed_message_from_its_page(
    client, firm, messages, django_capture_on_commit_callbacks
):
    message = messages["customer"]
    login(client, "zhaoliu")
    detail = reverse("notify:message-detail", args=[message.pk])
    resend_form = f'action="{reverse("notify:message-resend", args=[message.pk])}"'
    assert resend_form not in client.get(detail).content.decode()  # only a failed one
    message.status = SmsStatus.FAILED
    message.save(update_fields=["status"])
    assert resend_form in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notify:message-resend", args=[message.pk]), follow=True)
    assert "短信已重新排队发送。" in response.content.decode()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    again = client.post(reverse("notify:message-resend", args=[message.pk]), follow=True)
    assert "短信当前状态为「已发送」，不能执行「重新发送」。" in again.content.decode()


def test_the_api_masks_customer_numbers_per_viewer(client, firm, messages):
    url = "/api/v1/sms"
    masked = {m["id"]: m for m in login(client, "lisi").get(url).json()["results"]}
    customer = masked[messages["customer"].pk]
    assert customer["phone"] == "138****5678"
    assert customer["recipient"] == "customer"
    assert "139****1111" in customer["body"]
    assert masked[messages["surveyor"].pk]["phone"] == SURVEYOR
    assert messages["ningbo"].pk not in masked
    client.logout()
    full = {m["id"]: m for m in login(client, "zhaoliu").get(url).json()["results"]}
    assert full[messages["customer"].pk]["phone"] == CUSTOMER


def test_the_api_detail_has_the_delivery_log_and_is_404_outside_scope(client, firm, messages):
    url = f"/api/v1/sms/{messages['surveyor'].pk}"
    body = login(client, "zhaoliu").get(url).json()
    assert body["case_no"] == messages["surveyor"].case.case_no
    assert [log["outcome"] for log in body["delivery_logs"]] == ["sent"]
    client.logout()
    response = login(client, "wushi").get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_api_refuses_a_position_without_the_outbox_right(client, firm, messages):
    response = login(client, "zhangsan").get("/api/v1/sms")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_the_api_filters_by_status_and_template(client, firm, messages):
    login(client, "zhaoliu")
    body = client.get("/api/v1/sms", {"template": "dispatch_to_customer"}).json()
    assert [m["id"] for m in body["results"]] == [messages["customer"].pk]
    assert client.get("/api/v1/sms", {"status": "failed"}).json()["count"] == 0
    bad = client.get("/api/v1/sms", {"status": "nonsense"})
    assert bad.status_code == 400
    assert "status" in bad.json()["error"]["fields"]


def test_the_outbox_list_runs_a_fixed_number_of_queries(
    client, firm, messages, django_assert_max_num_queries
):
    login(client, "zhaoliu")
    client.get(reverse("notify:outbox"))  # warm caches (permissions, session)
    with django_assert_max_num_queries(12):
        client.get(reverse("notify:outbox"))
