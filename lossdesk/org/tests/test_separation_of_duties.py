"""三员分立 holds whatever path a change takes: nobody edits the position they hold, the three
administrator positions never carry business rights, and nobody sets another person's
password — the system administrator only forces a reset to a temporary password."""

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from lossdesk.claims.models import Case
from lossdesk.org.models import AuthToken, Position, Staff
from lossdesk.org.positions import (
    ADMIN_POSITIONS,
    CASE_VIEW,
    admin_permissions,
    ensure_standard_positions,
    permission_name,
    permissions_by_name,
)
from lossdesk.testing import API, PASSWORD, client_for, error_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Own-choice-77"


def names(position: Position) -> set[str]:
    return {permission_name(p) for p in position.permissions.select_related("content_type")}


def login(username: str, password: str) -> APIClient:
    response = APIClient().post(
        f"{API}/auth/token", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


# --- positions ------------------------------------------------------------------------------


def test_the_security_admin_cannot_grant_her_own_position_case_rights_over_the_api(firm):
    own = firm.secadmin.position
    body = {"permissions": sorted(names(own) | {CASE_VIEW})}
    response = client_for(firm.secadmin).patch(f"{API}/positions/{own.pk}", body, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert CASE_VIEW not in names(own)
    firm.registered_case()
    assert not Case.objects.for_user(Staff.objects.get(pk=firm.secadmin.pk)).exists()


def test_nobody_deletes_the_position_they_hold_over_the_api(firm):
    own = firm.secadmin.position
    response = client_for(firm.secadmin).delete(f"{API}/positions/{own.pk}")
    assert response.status_code == 403
    assert Position.objects.filter(pk=own.pk).exists()


def test_a_second_security_admin_cannot_give_another_administrator_position_case_rights(firm):
    auditor = Position.objects.get(code="auditor")
    body = {"permissions": sorted(names(auditor) | {CASE_VIEW})}
    response = client_for(firm.secadmin).patch(f"{API}/positions/{auditor.pk}", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"]["permissions"] == ["三员岗位的权限由系统规定，不能修改。"]
    assert CASE_VIEW not in names(auditor)


@pytest.mark.parametrize("code", ADMIN_POSITIONS)
def test_an_administrator_position_refuses_a_business_permission_on_the_model(firm, code):
    position = Position.objects.get(code=code)
    view_case = permissions_by_name([CASE_VIEW], Permission)[0]
    with pytest.raises(ValidationError), transaction.atomic():
        position.permissions.add(view_case)
    with pytest.raises(ValidationError), transaction.atomic():
        view_case.position_set.add(position)  # the other side of the relation
    assert CASE_VIEW not in names(position)


def test_administrator_positions_hold_exactly_their_listed_rights_and_no_business_right(firm):
    for code in ADMIN_POSITIONS:
        held = names(Position.objects.get(code=code))
        assert held == admin_permissions(code)
        assert not {n for n in held if n.startswith(("claims.", "intake.", "motor."))} - {
            "claims.view_caseevent"
        }
        assert "org.view_pii" not in held


def test_migrate_strips_a_business_right_smuggled_onto_an_administrator_position(firm):
    security_admin = Position.objects.get(code="security_admin")
    view_case = permissions_by_name([CASE_VIEW], Permission)[0]
    # A direct row in the link table (an old release, a database edit) skips the model guard.
    Position.permissions.through.objects.create(position=security_admin, permission=view_case)
    ensure_standard_positions(sender=apps.get_app_config("org"))
    assert CASE_VIEW not in names(security_admin)


def test_an_administrator_position_keeps_its_code(firm):
    auditor = Position.objects.get(code="auditor")
    response = client_for(firm.secadmin).patch(
        f"{API}/positions/{auditor.pk}", {"code": "auditor_old"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in error_of(response)["fields"]
    auditor.refresh_from_db()
    assert auditor.code == "auditor"


def test_in_the_admin_an_administrator_position_s_rights_are_read_only(client, firm):
    client.force_login(firm.secadmin)
    auditor = Position.objects.get(code="auditor")
    view_case = permissions_by_name([CASE_VIEW], Permission)[0]
    response = client.post(
        reverse("admin:org_position_change", args=[auditor.pk]),
        {
            "name": auditor.name,
            "data_scope": auditor.data_scope,
            "description": "改过",
            "permissions": [view_case.pk],
        },
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.description == "改过"
    assert names(auditor) == admin_permissions("auditor")


# --- passwords ------------------------------------------------------------------------------


def test_the_system_admin_cannot_set_another_staff_member_s_password(firm):
    response = client_for(firm.sysadmin).patch(
        f"{API}/staff/{firm.zhangsan.pk}", {"password": "Taken-over-99"}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["fields"]["password"] == [
        "密码只能由本人修改；系统管理员可以强制重置密码。"
    ]
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.check_password(PASSWORD)


def test_the_admin_has_no_page_to_set_another_person_s_password(client, firm):
    client.force_login(firm.sysadmin)
    response = client.get(reverse("admin:auth_user_password_change", args=[firm.zhangsan.pk]))
    assert response.status_code == 403


def test_a_forced_reset_hands_out_a_temporary_password_that_must_be_changed(firm):
    old_token = client_for(firm.zhangsan)
    response = client_for(firm.sysadmin).post(f"{API}/staff/{firm.zhangsan.pk}/reset-password")
    assert response.status_code == 200, response.content
    temporary = response.json()["temporary_password"]

    assert old_token.get(f"{API}/cases").status_code == 401  # every token ended
    firm.zhangsan.refresh_from_db()
    assert not firm.zhangsan.check_password(PASSWORD)
    assert firm.zhangsan.password_change_required

    token = APIClient().post(
        f"{API}/auth/token", {"username": "zhangsan", "password": temporary}, format="json"
    )
    assert token.json()["password_change_required"] is True
    client = login("zhangsan", temporary)
    blocked = client.get(f"{API}/cases")
    assert blocked.status_code == 403
    assert error_of(blocked)["code"] == "password_change_required"

    changed = client.post(
        f"{API}/auth/password",
        {"old_password": temporary, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 204
    assert client.get(f"{API}/cases").status_code == 200

    entry = LogEntry.objects.get(object_id=str(firm.zhangsan.pk), user=firm.sysadmin)
    assert "强制重置密码" in entry.change_message


@pytest.mark.parametrize("username", ["secadmin", "auditor", "zhoujiu"])
def test_only_the_system_admin_forces_a_reset(firm, username):
    response = client_for(getattr(firm, username)).post(
        f"{API}/staff/{firm.zhangsan.pk}/reset-password"
    )
    assert response.status_code == 403
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.check_password(PASSWORD)
    assert not firm.zhangsan.password_change_required


@pytest.mark.parametrize("username", ["secadmin", "auditor"])
def test_the_system_admin_cannot_reset_another_administrator_s_password(firm, username):
    target = getattr(firm, username)
    response = client_for(firm.sysadmin).post(f"{API}/staff/{target.pk}/reset-password")
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


def test_the_system_admin_does_not_reset_their_own_password(firm):
    response = client_for(firm.sysadmin).post(f"{API}/staff/{firm.sysadmin.pk}/reset-password")
    assert response.status_code == 403
    assert "修改密码" in error_of(response)["message"]


def test_a_reset_in_the_admin_shows_the_temporary_password_once(client, firm):
    client.force_login(firm.sysadmin)
    response = client.post(
        reverse("admin:org_staff_changelist"),
        {"action": "reset_password", "_selected_action": [firm.lisi.pk]},
        follow=True,
    )
    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"]]
    temporary = message.split("临时密码：")[1].split("（")[0]
    firm.lisi.refresh_from_db()
    assert firm.lisi.check_password(temporary) and firm.lisi.password_change_required
    assert LogEntry.objects.filter(object_id=str(firm.lisi.pk), user=firm.sysadmin).exists()


def test_the_security_admin_is_not_offered_the_reset_action(client, firm):
    client.force_login(firm.secadmin)
    response = client.get(reverse("admin:org_staff_changelist"))
    assert response.status_code == 200
    assert "reset_password" not in response.content.decode()


def test_a_temporary_password_opens_only_the_password_change_page(client, firm):
    firm.zhangsan.set_password("Temp-pass-42")
    firm.zhangsan.password_change_required = True
    firm.zhangsan.save()
    response = client.post(reverse("login"), {"username": "zhangsan", "password": "Temp-pass-42"})
    assert response.status_code == 302
    response = client.get(reverse("claims:case-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "您正在使用临时密码" in page.content.decode()

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Temp-pass-42",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("claims:case-list")).status_code == 200
    firm.zhangsan.refresh_from_db()
    assert not firm.zhangsan.password_change_required


def test_a_new_account_s_password_may_not_resemble_its_username(firm):
    body = {"username": "zhengshi", "full_name": "郑十一", "password": "Zhengshi-2026"}
    response = client_for(firm.sysadmin).post(f"{API}/staff", body, format="json")
    assert response.status_code == 400
    assert "password" in error_of(response)["fields"]
    assert not Staff.objects.filter(username="zhengshi").exists()


def test_an_account_created_with_a_password_must_change_it_at_first_login(firm):
    body = {
        "username": "zhengshi",
        "full_name": "郑十一",
        "password": "Xy9!long-enough",
        "branch": firm.hangzhou.pk,
    }
    assert client_for(firm.sysadmin).post(f"{API}/staff", body, format="json").status_code == 201
    assert Staff.objects.get(username="zhengshi").password_change_required


def test_changing_one_s_password_ends_every_other_token_and_session(client, firm):
    client.force_login(firm.lisi)
    assert client.get(reverse("claims:case-list")).status_code == 200
    other_device = client_for(firm.lisi)
    this_device = login("lisi", PASSWORD)
    response = this_device.post(
        f"{API}/auth/password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    assert this_device.get(f"{API}/cases").status_code == 200
    assert other_device.get(f"{API}/cases").status_code == 401
    assert AuthToken.objects.filter(user=firm.lisi).count() == 1
    assert client.get(reverse("claims:case-list")).status_code == 302  # the session ended


def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(firm):
    client = login("lisi", PASSWORD)
    wrong = client.post(
        f"{API}/auth/password",
        {"old_password": "Not-mine-123", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert wrong.status_code == 400
    assert "old_password" in error_of(wrong)["fields"]
    weak = client.post(
        f"{API}/auth/password",
        {"old_password": PASSWORD, "new_password": "lisi1234"},
        format="json",
    )
    assert weak.status_code == 400
    assert "new_password" in error_of(weak)["fields"]
    firm.lisi.refresh_from_db()
    assert firm.lisi.check_password(PASSWORD)
