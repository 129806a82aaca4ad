"""Guessing passwords does not pay: five consecutive failures lock a username for a cool-off
period (the right password included) on the login page and the token endpoint alike, every
failure and lockout is logged, the security administrator can unlock; the rest of the API is
throttled; weak passwords are refused (等保 三级 身份鉴别)."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from lossdesk.demo.builder import DEFAULT_PASSWORD
from lossdesk.org.passwords import generate_temporary_password
from lossdesk.testing import API, PASSWORD, client_for, error_of

pytestmark = pytest.mark.django_db

WRONG = "Wrong-guess-1"


def token_attempt(username: str, password: str):
    return APIClient().post(
        f"{API}/auth/token", {"username": username, "password": password}, format="json"
    )


def page_attempt(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


# --- lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_token_endpoint_even_for_the_right_one(firm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_attempt("lisi", WRONG).status_code == 400
    fifth = token_attempt("lisi", WRONG)
    assert fifth.status_code == 429
    right = token_attempt("lisi", PASSWORD)
    assert right.status_code == 429
    error = error_of(right)
    assert error["code"] == "locked_out"
    assert (
        error["message"]
        == "连续登录失败 5 次，账号已锁定 15 分钟。请稍后再试，或联系安全管理员解锁。"
    )
    assert right["Retry-After"] == str(15 * 60)
    assert "token" not in right.json()


def test_five_wrong_passwords_lock_the_login_page_with_a_chinese_message(client, firm):
    for _ in range(4):
        assert page_attempt(client, "lisi", WRONG).status_code == 200
    assert page_attempt(client, "lisi", WRONG).status_code == 429
    response = page_attempt(client, "lisi", PASSWORD)
    assert response.status_code == 429
    assert "账号已锁定 15 分钟" in response.content.decode()
    assert client.get(reverse("claims:case-list")).status_code == 302  # not logged in
    # Showing the page does not count as one more attempt.
    assert AccessFailureLog.objects.filter(username="lisi").count() == 6


def test_the_page_and_the_api_count_failures_together(client, firm):
    for _ in range(3):
        page_attempt(client, "lisi", WRONG)
    assert token_attempt("lisi", WRONG).status_code == 400
    assert token_attempt("lisi", WRONG).status_code == 429
    assert page_attempt(client, "lisi", PASSWORD).status_code == 429


def test_a_success_resets_the_count_so_only_consecutive_failures_lock(firm):
    for _ in range(4):
        token_attempt("lisi", WRONG)
    assert token_attempt("lisi", PASSWORD).status_code == 200
    for _ in range(4):
        assert token_attempt("lisi", WRONG).status_code == 400
    assert token_attempt("lisi", PASSWORD).status_code == 200


def test_the_lock_is_per_username(firm):
    for _ in range(5):
        token_attempt("lisi", WRONG)
    assert token_attempt("lisi", PASSWORD).status_code == 429
    assert token_attempt("zhangsan", PASSWORD).status_code == 200


def test_the_lock_ends_after_the_cool_off_period(firm, settings):
    for _ in range(5):
        token_attempt("lisi", WRONG)
    AccessAttempt.objects.filter(username="lisi").update(
        attempt_time=AccessAttempt.objects.get(username="lisi").attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    assert token_attempt("lisi", PASSWORD).status_code == 200


def test_the_security_admin_unlocks_a_username_in_the_admin(client, firm, caplog):
    for _ in range(5):
        token_attempt("lisi", WRONG)
    client.force_login(firm.secadmin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    pks = list(AccessAttempt.objects.filter(username="lisi").values_list("pk", flat=True))
    with caplog.at_level(logging.WARNING, logger="lossdesk.security"):
        response = client.post(changelist, {"action": "unlock", "_selected_action": pks})
    assert response.status_code == 302
    assert token_attempt("lisi", PASSWORD).status_code == 200
    assert LogEntry.objects.filter(user=firm.secadmin, change_message="解锁登录").exists()
    assert "login unlocked for 'lisi' by secadmin" in caplog.text


@pytest.mark.parametrize("username", ["sysadmin", "auditor", "zhoujiu"])
def test_only_the_security_admin_unlocks(client, firm, username):
    for _ in range(5):
        token_attempt("lisi", WRONG)
    client.force_login(getattr(firm, username))
    pks = list(AccessAttempt.objects.filter(username="lisi").values_list("pk", flat=True))
    client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": pks},
    )
    assert token_attempt("lisi", PASSWORD).status_code == 429


def test_every_failure_and_the_lockout_are_in_the_security_log(client, firm, caplog):
    with caplog.at_level(logging.WARNING, logger="lossdesk.security"):
        for _ in range(5):
            token_attempt("lisi", WRONG)
    lines = [r.getMessage() for r in caplog.records if r.name == "lossdesk.security"]
    assert sum("login failed for 'lisi'" in line for line in lines) == 5
    assert sum("login locked out for 'lisi'" in line for line in lines) == 1
    failures = AccessFailureLog.objects.filter(username="lisi").order_by("attempt_time", "pk")
    assert [f.locked_out for f in failures] == [False, False, False, False, True]
    client.force_login(firm.auditor)
    page = client.get(reverse("admin:axes_accessfailurelog_changelist"))
    assert page.status_code == 200
    assert "lisi" in page.content.decode()


# --- throttling ------------------------------------------------------------------------------


def test_a_user_over_the_rate_gets_429_with_the_error_body(firm, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "user": "3/minute"},
    }
    client = client_for(firm.lisi)
    for _ in range(3):
        assert client.get(f"{API}/cases").status_code == 200
    response = client.get(f"{API}/cases")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert client_for(firm.zhangsan).get(f"{API}/cases").status_code == 200  # per user


def test_anonymous_calls_are_throttled_per_address(firm, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "1000/minute"},
    }
    assert token_attempt("lisi", PASSWORD).status_code == 200
    assert token_attempt("zhangsan", PASSWORD).status_code == 200
    response = token_attempt("wangwu", PASSWORD)
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"


def test_a_forged_forwarded_for_header_does_not_reset_the_address_throttle(firm, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "1000/minute"},
    }
    for address in ("10.0.0.1", "10.0.0.2"):
        response = APIClient().post(
            f"{API}/auth/token",
            {"username": "lisi", "password": PASSWORD},
            format="json",
            HTTP_X_FORWARDED_FOR=address,
        )
        assert response.status_code == 200
    forged = APIClient().post(
        f"{API}/auth/token",
        {"username": "lisi", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="10.0.0.3",
    )
    assert forged.status_code == 429


# --- password strength -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["zhangsan", "Zhangsan-1", "20261204", "lossdesk", "lossdesk2026", "Ab1!x", "password"],
)
def test_a_weak_password_is_refused(firm, password):
    with pytest.raises(ValidationError):
        validate_password(password, firm.zhangsan)


@pytest.mark.parametrize("password", [PASSWORD, DEFAULT_PASSWORD, "Kp7m-Rw3x-Ta9c", "Baoxian2026"])
def test_a_password_of_three_character_classes_is_accepted(firm, password):
    for user in (firm.zhangsan, firm.lisi, firm.sysadmin):
        validate_password(password, user)


def test_temporary_passwords_pass_the_rules(firm):
    for _ in range(20):
        validate_password(generate_temporary_password(firm.zhangsan), firm.zhangsan)


def test_the_api_refuses_a_weak_password_for_a_new_account(firm):
    body = {"username": "zhengshi", "full_name": "郑十一", "password": "zhengshi2026"}
    response = client_for(firm.sysadmin).post(f"{API}/staff", {**body}, format="json")
    assert response.status_code == 400
    assert "password" in error_of(response)["fields"]


def test_seed_demo_refuses_a_weak_password_with_a_clear_message(db):
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("seed_demo", "--password", "weak", stdout=StringIO())
