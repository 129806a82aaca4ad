"""Callbacks (客户回访) after a case closes: an SMS link to a public page (random token, no
login, expires, single use) or a phone call from the call centre; the ratings feed the
surveyor's KPI."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.choices import EventType
from lossdesk.core.errors import Conflict, NotFound
from lossdesk.intake.choices import CallbackMethod, CallbackStatus
from lossdesk.intake.models import Callback
from lossdesk.intake.queries import surveyor_callback_ratings
from lossdesk.intake.services import callbacks
from lossdesk.intake.tests.conftest import sms_to

pytestmark = pytest.mark.django_db


TOKENS: dict[int, str] = {}


@pytest.fixture
def closed(firm, django_capture_on_commit_callbacks, monkeypatch):
    """A closed case whose close committed (so the callback task exists). The link's token
    is caught on its way into the SMS (the outbox redacts it once sent)."""
    original = callbacks.callback_url

    def catching(token):
        TOKENS["last"] = token
        return original(token)

    monkeypatch.setattr(callbacks, "callback_url", catching)

    def build(**overrides):
        TOKENS.pop("last", None)
        with django_capture_on_commit_callbacks(execute=True):
            case = firm.closed_case(**overrides)
        if "last" in TOKENS:
            TOKENS[case.pk] = TOKENS.pop("last")
        return case

    return build


def link_token(case) -> str:
    [message] = sms_to(case, "callback_link")
    assert message.template.code == "callback_link" and case.case_no in message.body
    token = TOKENS[case.pk]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    return token


def test_closing_a_case_creates_a_callback_and_texts_a_single_use_link(firm, closed):
    case = closed()
    callback = Callback.objects.get(case=case)
    assert callback.method == CallbackMethod.SMS and callback.status == CallbackStatus.SENT
    assert (callback.surveyor, callback.phone) == (firm.zhangsan, "13812345678")
    token = link_token(case)
    assert len(token) >= 32
    assert callback.token_hash == callbacks.hash_token(token) != token  # only a hash is kept
    assert callback.token_expires_at > timezone.now() + timedelta(days=6)
    assert case.events.filter(type=EventType.CALLBACK_CREATED).exists()


def test_no_callback_is_created_for_a_close_that_did_not_commit(firm):
    firm.closed_case()  # the test transaction never commits: the signal never fires
    assert not Callback.objects.exists()


def test_the_customer_rates_once_on_the_public_page_without_logging_in(client, closed):
    case = closed()
    url = reverse("intake:callback-public", args=[link_token(case)])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="viewport"' in page.content.decode() and case.case_no in page.content.decode()
    assert client.post(url, {"comment": "还行"}).status_code == 400  # no rating chosen
    assert client.post(url, {"rating": "9"}).status_code == 400
    response = client.post(url, {"rating": "4", "comment": "查勘员很专业"})
    assert (
        response.status_code == 200 and 'data-testid="callback-thanks"' in response.content.decode()
    )
    callback = Callback.objects.get(case=case)
    assert (callback.status, callback.rating, callback.comment) == (
        CallbackStatus.COMPLETED,
        4,
        "查勘员很专业",
    )
    again = client.post(url, {"rating": "1"})
    assert again.status_code == 409 and 'data-testid="callback-used"' in again.content.decode()
    assert client.get(url).status_code == 409
    callback.refresh_from_db()
    assert callback.rating == 4


def test_the_link_expires_after_the_configured_days(client, closed, settings):
    settings.LOSSDESK_CALLBACK_LINK_DAYS = 3
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = closed()
    url = reverse("intake:callback-public", args=[link_token(case)])
    with time_machine.travel(start + timedelta(days=2, hours=23), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(start + timedelta(days=3, minutes=1), tick=False):
        response = client.post(url, {"rating": "5"})
        assert response.status_code == 410
        assert 'data-testid="callback-expired"' in response.content.decode()
    assert Callback.objects.get(case=case).rating is None


def test_an_unknown_or_tampered_token_is_a_404(client, closed):
    case = closed()
    token = link_token(case)
    for bad in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "short"):
        response = client.get(reverse("intake:callback-public", args=[bad]))
        assert response.status_code == 404
    with pytest.raises(NotFound):
        callbacks.do_submit_callback_feedback("y" * 43, rating=5)


def test_the_call_centre_records_a_phone_callback(client, firm, closed, settings):
    settings.LOSSDESK_CALLBACK_METHOD = "phone"
    case = closed()
    callback = Callback.objects.get(case=case)
    assert callback.method == CallbackMethod.PHONE and callback.token_hash is None
    assert not sms_to(case, "callback_link")
    client.force_login(firm.zhaoliu)
    assert callback.case.case_no in client.get(reverse("intake:callback-list")).content.decode()
    url = reverse("intake:callback-detail", args=[callback.pk])
    page = client.get(url).content.decode()
    assert "回访话术" in page and "13812345678" in page
    assert client.post(url, {"status": "completed"}).status_code == 400  # no rating
    client.post(url, {"status": "unreachable", "note": "无人接听"})
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.UNREACHABLE  # stays open for another try
    response = client.post(url, {"status": "completed", "rating": "5", "comment": "满意"})
    assert response.status_code == 302
    callback.refresh_from_db()
    assert (callback.status, callback.rating, callback.called_by) == (
        CallbackStatus.COMPLETED,
        5,
        firm.zhaoliu,
    )
    with pytest.raises(Conflict):
        callbacks.do_record_callback_call(
            callback, status="completed", rating=1, actor=firm.zhaoliu
        )


def test_callbacks_are_scoped_like_their_cases(client, firm, closed):
    case = closed()
    callback = Callback.objects.get(case=case)
    client.force_login(firm.wushi)  # 宁波 dispatcher
    assert client.get(reverse("intake:callback-detail", args=[callback.pk])).status_code == 404
    assert case.case_no not in client.get(reverse("intake:callback-list")).content.decode()
    client.force_login(firm.zhangsan)  # surveyor: no callback permission
    assert client.get(reverse("intake:callback-list")).status_code == 403


def test_callback_ratings_give_each_surveyor_an_average_for_the_kpi(firm, closed, liuyi):
    ratings = {}
    for i, rating in enumerate((5, 4, 2)):
        case = closed(client_claim_no=f"PICC-CB-{i}")
        callbacks.do_submit_callback_feedback(link_token(case), rating=rating)
        ratings[case.pk] = rating
    other = Callback.objects.create(
        case=firm.registered_case(client_claim_no="PICC-CB-X"),
        surveyor=liuyi,
        method=CallbackMethod.PHONE,
        status=CallbackStatus.COMPLETED,
        rating=1,
        phone="13812345678",
        completed_at=timezone.now(),
    )
    rows = {row["surveyor__full_name"]: row for row in surveyor_callback_ratings()}
    assert rows["张三"]["callbacks"] == 3
    assert rows["张三"]["average_rating"] == pytest.approx(11 / 3)
    assert rows["刘一"]["average_rating"] == 1
    assert other.rating == 1
    later = surveyor_callback_ratings(since=timezone.now() + timedelta(minutes=1))
    assert list(later) == []
