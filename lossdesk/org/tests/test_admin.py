"""三员分立 in the admin: the system admin keeps accounts and master data, the security admin
assigns positions, the auditor reads the logs; none of them does case business, and nobody
edits case data in the admin."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from lossdesk.claims.models import Case, CaseEvent
from lossdesk.org.models import Branch, Position, Staff
from lossdesk.org.positions import CASE_VIEW
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def staff_form(user: Staff, **changes) -> dict:
    """The fields the system admin's staff change form posts."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "mobile": user.mobile,
        "email": user.email,
        "employee_no": user.employee_no,
        "branch": user.branch_id,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# --- 系统管理员 -------------------------------------------------------------------------


def test_the_system_admin_can_add_a_branch(client, firm):
    client.force_login(firm.sysadmin)
    response = client.post(
        url("org_branch_add"),
        {
            "code": "wz",
            "name": "温州分公司",
            "level": "city",
            "parent": firm.zhejiang.pk,
            "province": "浙江",
            "city": "温州",
            "active": "on",
        },
    )
    assert response.status_code == 302
    wenzhou = Branch.objects.get(code="wz")
    assert wenzhou.path == f"{firm.zhejiang.path}{wenzhou.pk}/"


def test_the_system_admin_adds_a_staff_member_without_a_position_or_superuser_rights(client, firm):
    client.force_login(firm.sysadmin)
    add_page = client.get(url("org_staff_add"))
    assert add_page.status_code == 200
    assert 'name="position"' not in add_page.content.decode()
    response = client.post(
        url("org_staff_add"),
        {
            "username": "chenjie",
            "usable_password": "true",
            "password1": "Welcome-2026!",
            "password2": "Welcome-2026!",
            "full_name": "陈杰",
            "mobile": "13912345678",
            "branch": firm.hangzhou.pk,
            "position": Position.objects.get(code="branch_manager").pk,
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    chenjie = Staff.objects.get(username="chenjie")
    assert chenjie.full_name == "陈杰" and chenjie.branch == firm.hangzhou
    assert chenjie.position is None
    assert not chenjie.is_superuser
    assert chenjie.check_password("Welcome-2026!")


def test_the_system_admin_edits_a_staff_member_but_not_the_position(client, firm):
    client.force_login(firm.sysadmin)
    page = client.get(url("org_staff_change", firm.zhangsan.pk))
    assert page.status_code == 200
    assert 'name="position"' not in page.content.decode()
    assert 'name="full_name"' in page.content.decode()
    response = client.post(
        url("org_staff_change", firm.zhangsan.pk),
        staff_form(
            firm.zhangsan,
            full_name="张三丰",
            position=Position.objects.get(code="branch_manager").pk,
            is_superuser="on",
        ),
    )
    assert response.status_code == 302
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.full_name == "张三丰"
    assert firm.zhangsan.position.code == "surveyor"
    assert not firm.zhangsan.is_superuser


def test_the_system_admin_cannot_see_positions_case_events_or_the_admin_log(client, firm):
    client.force_login(firm.sysadmin)
    assert client.get(url("org_position_changelist")).status_code == 403
    assert client.get(url("org_position_change", firm.zhangsan.position_id)).status_code == 403
    assert client.get(url("claims_caseevent_changelist")).status_code == 403
    assert client.get(url("admin_logentry_changelist")).status_code == 403


def test_the_system_admin_does_no_case_business(firm):
    firm.registered_case()
    assert not firm.sysadmin.has_perm(CASE_VIEW)
    assert not Case.objects.for_user(firm.sysadmin).exists()


# --- 安全管理员 -------------------------------------------------------------------------


def test_the_security_admin_changes_only_the_position_and_active_flag(client, firm):
    client.force_login(firm.secadmin)
    page = client.get(url("org_staff_change", firm.zhangsan.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="position"' in html and 'name="is_active"' in html
    assert 'name="full_name"' not in html and 'name="branch"' not in html
    assessor = Position.objects.get(code="assessor")
    response = client.post(
        url("org_staff_change", firm.zhangsan.pk),
        {
            "position": assessor.pk,
            "is_active": "on",
            "full_name": "冒名",
            "username": "renamed",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.position == assessor
    assert (firm.zhangsan.full_name, firm.zhangsan.username) == ("张三", "zhangsan")
    assert not firm.zhangsan.is_staff and not firm.zhangsan.is_superuser


def test_the_security_admin_can_deactivate_an_account(client, firm):
    client.force_login(firm.secadmin)
    response = client.post(
        url("org_staff_change", firm.wangwu.pk), {"position": firm.wangwu.position_id}
    )
    assert response.status_code == 302
    firm.wangwu.refresh_from_db()
    assert not firm.wangwu.is_active


def test_the_security_admin_cannot_change_their_own_position(client, firm):
    client.force_login(firm.secadmin)
    manager = Position.objects.get(code="branch_manager")
    client.post(
        url("org_staff_change", firm.secadmin.pk), {"position": manager.pk, "is_active": "on"}
    )
    firm.secadmin.refresh_from_db()
    assert firm.secadmin.position.code == "security_admin"


def test_the_security_admin_maintains_positions_but_not_their_own(client, firm):
    client.force_login(firm.secadmin)
    assert client.get(url("org_position_changelist")).status_code == 200
    surveyor = firm.zhangsan.position
    response = client.post(
        url("org_position_change", surveyor.pk),
        {
            "code": surveyor.code,
            "name": surveyor.name,
            "data_scope": "branch",
            "description": surveyor.description,
            "permissions": list(surveyor.permissions.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    surveyor.refresh_from_db()
    assert surveyor.data_scope == "branch"

    own = firm.secadmin.position
    assert client.get(url("org_position_change", own.pk)).status_code == 200  # view only
    response = client.post(
        url("org_position_change", own.pk),
        {"code": own.code, "name": own.name, "data_scope": own.data_scope, "permissions": []},
    )
    assert response.status_code == 403
    assert own.permissions.filter(codename="assign_position").exists()


def test_the_security_admin_cannot_add_branches_or_staff_set_passwords_or_read_logs(client, firm):
    client.force_login(firm.secadmin)
    assert client.get(url("org_branch_add")).status_code == 403
    assert client.post(url("org_branch_add"), {"code": "x", "name": "X"}).status_code == 403
    assert not Branch.objects.filter(code="x").exists()
    assert client.get(url("org_staff_add")).status_code == 403
    assert client.get(url("auth_user_password_change", firm.zhangsan.pk)).status_code == 403
    assert client.get(url("admin_logentry_changelist")).status_code == 403
    assert client.get(url("claims_caseevent_changelist")).status_code == 403
    assert not Case.objects.for_user(firm.secadmin).exists()


# --- 审计员 -----------------------------------------------------------------------------


def test_the_auditor_reads_case_events_and_the_admin_log(client, firm):
    case = firm.registered_case()
    client.force_login(firm.sysadmin)
    client.post(
        url("org_branch_add"),
        {"code": "wz", "name": "温州分公司", "level": "city", "parent": firm.zhejiang.pk},
    )
    assert LogEntry.objects.filter(object_repr="温州分公司").exists()

    client.force_login(firm.auditor)
    events = client.get(url("claims_caseevent_changelist"))
    assert events.status_code == 200
    assert case.case_no in events.content.decode()
    log = client.get(url("admin_logentry_changelist"))
    assert log.status_code == 200
    assert "温州分公司" in log.content.decode()
    event = CaseEvent.objects.filter(case=case).first()
    assert client.get(url("claims_caseevent_change", event.pk)).status_code == 200


def test_the_auditor_cannot_add_or_change_anything(client, firm):
    case = firm.registered_case()
    event = CaseEvent.objects.filter(case=case).first()
    client.force_login(firm.auditor)
    assert client.get(url("org_branch_add")).status_code == 403
    assert client.get(url("org_staff_changelist")).status_code == 403
    assert client.get(url("org_staff_change", firm.zhangsan.pk)).status_code == 403
    assert client.get(url("admin_logentry_add")).status_code == 403
    assert client.get(url("claims_caseevent_add")).status_code == 403
    response = client.post(
        url("claims_caseevent_change", event.pk), {"message": "改写", "type": event.type}
    )
    assert response.status_code == 403
    assert CaseEvent.objects.get(pk=event.pk).message == event.message


def test_the_auditor_does_no_case_business(firm):
    firm.registered_case()
    assert not firm.auditor.has_perm(CASE_VIEW)
    assert not Case.objects.for_user(firm.auditor).exists()


# --- case data is read-only in the admin ---------------------------------------------------


def test_case_data_cannot_be_changed_in_the_admin_even_by_a_superuser(client, firm):
    case = firm.assessed_case()
    root = Staff.objects.create_superuser("root", password=PASSWORD, full_name="超级用户")
    client.force_login(root)
    assert client.get(url("claims_case_changelist")).status_code == 200
    assert client.get(url("claims_case_change", case.pk)).status_code == 200
    assert client.get(url("claims_case_add")).status_code == 403
    assert client.post(url("claims_case_delete", case.pk), {"post": "yes"}).status_code == 403
    sheet = case.loss_items.get(seq=1).sheet
    assert client.get(url("motor_assessmentsheet_change", sheet.pk)).status_code == 200
    assert client.get(url("intake_report_change", case.report.pk)).status_code == 200
    assert client.get(url("intake_dispatch_changelist")).status_code == 200
    assert Case.objects.filter(pk=case.pk).exists()


def test_groups_are_not_offered_because_permissions_come_from_positions(client, firm):
    root = Staff.objects.create_superuser("root", password=PASSWORD, full_name="超级用户")
    client.force_login(root)
    assert client.get("/admin/auth/group/").status_code == 404
    page = client.get(url("org_staff_change", firm.zhangsan.pk)).content.decode()
    assert 'name="user_permissions"' not in page and 'name="groups"' not in page
    assert 'name="is_superuser"' not in page
