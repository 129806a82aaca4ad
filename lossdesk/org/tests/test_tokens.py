"""API tokens (django-rest-knox): a new token per login, listed and revocable by their owner,
ended by idle time and by age however busy, and by a password change."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lossdesk.org.models import AuthToken
from lossdesk.testing import API, PASSWORD, client_for, error_of

pytestmark = pytest.mark.django_db


def log_in(username: str, device: str = "") -> tuple[APIClient, dict]:
    body = {"username": username, "password": PASSWORD, "device": device}
    response = APIClient().post(f"{API}/auth/token", body, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client, response.json()


def test_each_login_gets_its_own_token_listed_without_its_secret(firm):
    phone, first = log_in("lisi", "华为 Mate 60")
    _, second = log_in("lisi", "办公电脑")
    assert first["token"] != second["token"]
    assert first["password_change_required"] is False
    response = phone.get(f"{API}/auth/tokens")
    assert response.status_code == 200
    listed = response.json()["results"]
    assert [(t["device"], t["current"]) for t in listed] == [
        ("办公电脑", False),
        ("华为 Mate 60", True),
    ]
    assert {t["id"] for t in listed} == {first["id"], second["id"]}
    assert first["token"] not in response.content.decode()


def test_the_token_stores_only_a_digest(firm):
    _, issued = log_in("lisi")
    token = AuthToken.objects.get(public_id=issued["id"])
    assert issued["token"] not in (token.digest, token.token_key)


def test_the_owner_revokes_one_token_and_the_others_keep_working(firm):
    phone, first = log_in("lisi")
    laptop, _ = log_in("lisi")
    assert laptop.delete(f"{API}/auth/tokens/{first['id']}").status_code == 204
    assert phone.get(f"{API}/cases").status_code == 401
    assert laptop.get(f"{API}/cases").status_code == 200


def test_someone_else_s_token_is_a_404_and_stays_valid(firm):
    mine, issued = log_in("lisi")
    response = client_for(firm.zhangsan).delete(f"{API}/auth/tokens/{issued['id']}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert mine.get(f"{API}/cases").status_code == 200


def test_logging_out_ends_only_the_token_of_the_request(firm):
    phone, _ = log_in("lisi")
    laptop, _ = log_in("lisi")
    assert phone.delete(f"{API}/auth/token").status_code == 204
    assert phone.get(f"{API}/cases").status_code == 401
    assert laptop.get(f"{API}/cases").status_code == 200


def test_an_idle_token_expires(firm):
    client, issued = log_in("lisi")
    AuthToken.objects.filter(public_id=issued["id"]).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(f"{API}/cases")
    assert response.status_code == 401
    assert error_of(response)["message"] == "令牌无效或已过期，请重新登录。"
    assert not AuthToken.objects.filter(public_id=issued["id"]).exists()


def test_using_a_token_moves_its_idle_expiry_on(firm, settings):
    client, issued = log_in("lisi")
    soon = timezone.now() + timedelta(minutes=5)
    AuthToken.objects.filter(public_id=issued["id"]).update(expiry=soon)
    assert client.get(f"{API}/cases").status_code == 200
    expiry = AuthToken.objects.get(public_id=issued["id"]).expiry
    idle = settings.REST_KNOX["TOKEN_TTL"]
    assert expiry > timezone.now() + idle - timedelta(minutes=1)


def test_no_use_extends_a_token_beyond_its_absolute_lifetime(firm, settings):
    client, issued = log_in("lisi")
    max_ttl = settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]
    created = timezone.now() - max_ttl + timedelta(minutes=10)
    AuthToken.objects.filter(public_id=issued["id"]).update(
        created=created, expiry=timezone.now() + timedelta(minutes=5)
    )
    assert client.get(f"{API}/cases").status_code == 200
    assert AuthToken.objects.get(public_id=issued["id"]).expiry <= created + max_ttl


def test_over_the_limit_a_new_login_ends_the_oldest_token(firm, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    oldest, _ = log_in("lisi")
    log_in("lisi")
    newest, _ = log_in("lisi")
    assert AuthToken.objects.filter(user=firm.lisi).count() == 2
    assert oldest.get(f"{API}/cases").status_code == 401
    assert newest.get(f"{API}/cases").status_code == 200


def test_a_deactivated_account_s_tokens_stop_working(firm):
    client, _ = log_in("lisi")
    firm.lisi.is_active = False
    firm.lisi.save()
    response = client.get(f"{API}/cases")
    assert response.status_code == 401
    assert "停用" in error_of(response)["message"]


def test_the_schema_documents_the_token_endpoints_and_the_bearer_scheme(client):
    schema = client.get(f"{API}/openapi.json").json()
    for path in ("/auth/token", "/auth/tokens", "/auth/tokens/{token_id}", "/auth/password"):
        assert f"/api/v1{path}" in schema["paths"], path
    assert "/api/v1/staff/{id}/reset-password" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    token_body = schema["components"]["schemas"]["Token"]["properties"]
    assert set(token_body) == {"token", "id", "expiry", "password_change_required"}
    assert "429" in schema["paths"]["/api/v1/auth/token"]["post"]["responses"]


def test_a_password_set_outside_the_services_still_ends_every_token(firm):
    client, _ = log_in("lisi")
    firm.lisi.set_password("Set-in-a-shell-9")  # e.g. manage.py changepassword
    firm.lisi.save()
    response = client.get(f"{API}/cases")
    assert response.status_code == 401
    assert error_of(response)["message"] == "密码已修改，请重新登录。"
    assert not AuthToken.objects.filter(user=firm.lisi).exists()
