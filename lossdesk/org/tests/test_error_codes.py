"""Each refusal of a login or a password change reaches the client as its code
(org.error_codes); what the message says stays Chinese and for people."""

import pytest
from rest_framework.test import APIClient

from lossdesk.testing import API, PASSWORD, client_for, error_of

pytestmark = pytest.mark.django_db


def token_attempt(username: str, password: str):
    return APIClient().post(
        f"{API}/auth/token", {"username": username, "password": password}, format="json"
    )


def test_a_wrong_password_is_invalid_credentials(firm):
    response = token_attempt("lisi", "Not-mine-123")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_credentials"


def test_an_unknown_username_is_invalid_credentials_too(firm):
    response = token_attempt("nobody", PASSWORD)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_credentials"


def test_the_right_password_of_a_deactivated_account_is_account_inactive(firm):
    firm.wangwu.is_active = False
    firm.wangwu.save(update_fields=["is_active"])
    response = token_attempt("wangwu", PASSWORD)
    assert response.status_code == 400
    assert error_of(response)["code"] == "account_inactive"


@pytest.mark.parametrize(
    ("old_password", "new_password", "code", "field"),
    [
        ("Not-mine-123", "Xy9!long-enough", "old_password_incorrect", "old_password"),
        (PASSWORD, PASSWORD, "password_unchanged", "new_password"),
        (PASSWORD, "lisi1234", "password_too_weak", "new_password"),
    ],
)
def test_a_refused_password_change_names_why(firm, old_password, new_password, code, field):
    response = client_for(firm.lisi).post(
        f"{API}/auth/password",
        {"old_password": old_password, "new_password": new_password},
        format="json",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code
    assert field in error["fields"]
    firm.lisi.refresh_from_db()
    assert firm.lisi.check_password(PASSWORD)
