"""Organisation data over the API and the separation of the three administrators (三员分立):
the system administrator keeps branches, staff, clients and repair shops but cannot set a
position; the security administrator sets positions and nothing else; the auditor and
business staff write nothing."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from lossdesk.org.models import Branch, Client, ClientContact, Position, RepairShop, Staff
from lossdesk.org.positions import permissions_by_name
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db


def org_clerk(firm, *permissions: str) -> Staff:
    """Someone on a business position holding extra org rights (the administrator positions'
    rights are fixed: they cannot be widened for a test either)."""
    position = Position.objects.create(code="org_clerk", name="行政专员", data_scope="all")
    position.permissions.set(permissions_by_name(list(permissions), Permission))
    return firm.staff("clerk", "行政专员", "org_clerk", firm.hq)


NEW_BRANCH = {"code": "wz", "name": "温州分公司", "level": "city", "province": "浙江"}
NEW_STAFF = {"username": "zhengshi", "full_name": "郑十一", "password": "Xy9!long-enough"}


def test_the_system_admin_creates_a_branch_under_a_parent(firm):
    response = client_for(firm.sysadmin).post(
        f"{API}/branches", {**NEW_BRANCH, "parent": firm.zhejiang.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    branch = Branch.objects.get(code="wz")
    assert branch.parent == firm.zhejiang
    assert response.json()["path"] == f"{firm.zhejiang.path}{branch.pk}/"


def test_the_system_admin_creates_staff_whose_password_is_write_only(firm):
    body = {**NEW_STAFF, "branch": firm.hangzhou.pk, "mobile": "13900001111"}
    response = client_for(firm.sysadmin).post(f"{API}/staff", body, format="json")
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    staff = Staff.objects.get(username="zhengshi")
    assert staff.check_password(NEW_STAFF["password"]) and staff.position is None
    token = APIClient().post(
        f"{API}/auth/token",
        {"username": "zhengshi", "password": NEW_STAFF["password"]},
        format="json",
    )
    assert token.status_code == 200


def test_a_weak_staff_password_is_a_400_on_the_password(firm):
    body = {**NEW_STAFF, "password": "123"}
    response = client_for(firm.sysadmin).post(f"{API}/staff", body, format="json")
    assert response.status_code == 400
    assert "password" in error_of(response)["fields"]
    assert not Staff.objects.filter(username="zhengshi").exists()


def test_the_system_admin_cannot_create_staff_with_a_position(firm):
    reviewer = Position.objects.get(code="reviewer")
    response = client_for(firm.sysadmin).post(
        f"{API}/staff", {**NEW_STAFF, "position": reviewer.pk}, format="json"
    )
    assert response.status_code == 403
    assert "position" in error_of(response)["fields"]
    assert not Staff.objects.filter(username="zhengshi").exists()


def test_the_system_admin_cannot_change_a_position(firm):
    reviewer = Position.objects.get(code="reviewer")
    response = client_for(firm.sysadmin).patch(
        f"{API}/staff/{firm.zhangsan.pk}", {"position": reviewer.pk}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["fields"]["position"] == ["分配岗位须由安全管理员进行。"]
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.position.code == "surveyor"


def test_the_system_admin_edits_account_fields_and_may_echo_the_position_back(firm):
    client = client_for(firm.sysadmin)
    current = client.get(f"{API}/staff/{firm.zhangsan.pk}").json()
    body = {**current, "full_name": "张三丰"}
    body.pop("mobile")  # masked for a position without PII rights
    response = client.put(f"{API}/staff/{firm.zhangsan.pk}", body, format="json")
    assert response.status_code == 200, response.content
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.full_name == "张三丰"
    assert firm.zhangsan.position.code == "surveyor"


def test_the_security_admin_assigns_a_position(firm):
    reviewer = Position.objects.get(code="reviewer")
    response = client_for(firm.secadmin).patch(
        f"{API}/staff/{firm.zhangsan.pk}", {"position": reviewer.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["position_name"] == "审核员"
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.position == reviewer


def test_the_security_admin_cannot_change_other_staff_fields(firm):
    response = client_for(firm.secadmin).patch(
        f"{API}/staff/{firm.zhangsan.pk}",
        {"full_name": "改名", "password": "Xy9!long-enough"},
        format="json",
    )
    assert response.status_code == 403
    assert set(error_of(response)["fields"]) == {"full_name", "password"}
    firm.zhangsan.refresh_from_db()
    assert firm.zhangsan.full_name == "张三"
    assert firm.zhangsan.check_password("Xy9!long-enough") is False


def test_the_security_admin_cannot_change_their_own_position(firm):
    system_admin = Position.objects.get(code="system_admin")
    response = client_for(firm.secadmin).patch(
        f"{API}/staff/{firm.secadmin.pk}", {"position": system_admin.pk}, format="json"
    )
    assert response.status_code == 403
    firm.secadmin.refresh_from_db()
    assert firm.secadmin.position.code == "security_admin"


def test_the_security_admin_cannot_create_a_branch_or_staff(firm):
    client = client_for(firm.secadmin)
    assert client.post(f"{API}/branches", NEW_BRANCH, format="json").status_code == 403
    assert client.post(f"{API}/staff", NEW_STAFF, format="json").status_code == 403
    assert not Branch.objects.filter(code="wz").exists()
    assert not Staff.objects.filter(username="zhengshi").exists()


def test_the_security_admin_edits_a_position_s_permissions(firm):
    response = client_for(firm.secadmin).post(
        f"{API}/positions",
        {
            "code": "junior_reviewer",
            "name": "初级审核员",
            "data_scope": "branch",
            "permissions": ["claims.view_case", "claims.review_case"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    position = Position.objects.get(code="junior_reviewer")
    assert set(position.permissions.values_list("codename", flat=True)) == {
        "view_case",
        "review_case",
    }
    assert sorted(response.json()["permissions"]) == ["claims.review_case", "claims.view_case"]


def test_an_unknown_permission_name_is_a_400(firm):
    response = client_for(firm.secadmin).post(
        f"{API}/positions",
        {"code": "x", "name": "X", "data_scope": "own", "permissions": ["claims.fly"]},
        format="json",
    )
    assert response.status_code == 400
    assert "permissions" in " ".join(error_of(response)["fields"])
    assert not Position.objects.filter(code="x").exists()


ORG_WRITES = [
    ("post", "branches", NEW_BRANCH),
    ("post", "staff", NEW_STAFF),
    ("post", "positions", {"code": "x", "name": "X", "data_scope": "own"}),
    ("post", "clients", {"code": "cpic", "name": "太平洋财产保险", "short_name": "太保"}),
    ("post", "repair-shops", {"name": "新店", "kind": "class1", "branch": None}),
]


@pytest.mark.parametrize("username", ["auditor", "zhaoliu", "zhoujiu"])
def test_the_auditor_and_business_staff_cannot_write_org_data(firm, username):
    client = client_for(getattr(firm, username))
    counts = [Branch.objects.count(), Staff.objects.count(), Client.objects.count()]
    for method, resource, body in ORG_WRITES:
        if resource == "repair-shops":
            body = {**body, "branch": firm.hangzhou.pk}
        response = getattr(client, method)(f"{API}/{resource}", body, format="json")
        assert response.status_code == 403, (username, resource)
        assert error_of(response)["code"] == "permission_denied"
    for resource, pk in [
        ("branches", firm.hangzhou.pk),
        ("staff", firm.zhangsan.pk),
        ("clients", firm.client.pk),
        ("repair-shops", firm.repair_shop.pk),
    ]:
        response = client.patch(f"{API}/{resource}/{pk}", {"name": "改"}, format="json")
        # The write permission is checked before the lookup, so even an object outside the
        # caller's scope answers 403, not 404.
        assert response.status_code == 403, (username, resource)
        assert error_of(response)["code"] == "permission_denied"
    assert [Branch.objects.count(), Staff.objects.count(), Client.objects.count()] == counts
    firm.hangzhou.refresh_from_db()
    assert firm.hangzhou.name == "杭州分公司"


def test_business_staff_cannot_even_read_org_data(firm):
    response = client_for(firm.zhaoliu).get(f"{API}/branches")
    assert response.status_code == 403


def test_the_system_admin_maintains_clients_and_repair_shops(firm):
    client = client_for(firm.sysadmin)
    response = client.post(
        f"{API}/clients",
        {
            "code": "cpic",
            "name": "太平洋财产保险",
            "short_name": "太保",
            "second_review_threshold": "80000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["second_review_threshold"] == "80000.00"
    response = client.post(
        f"{API}/repair-shops",
        {"name": "宁波一类厂", "kind": "class1", "branch": firm.ningbo.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert RepairShop.objects.filter(name="宁波一类厂", branch=firm.ningbo).exists()


def test_a_repair_shop_name_is_unique_per_branch(firm):
    response = client_for(firm.sysadmin).post(
        f"{API}/repair-shops",
        {"name": firm.repair_shop.name, "kind": "4s", "branch": firm.hangzhou.pk},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_client_contacts_are_listed_by_client_branch_with_masked_mobiles(firm):
    ClientContact.objects.create(
        client_branch=firm.client_branch, name="刘经理", mobile="13700001234"
    )
    response = client_for(firm.sysadmin).get(
        f"{API}/client-contacts", {"client_branch": firm.client_branch.pk}
    )
    assert response.status_code == 200
    [contact] = response.json()["results"]
    assert contact["name"] == "刘经理" and contact["mobile"] == "137****1234"


def test_staff_mobiles_are_masked_without_pii_rights(firm):
    firm.zhangsan.mobile = "13812345678"
    firm.zhangsan.save()
    body = client_for(firm.sysadmin).get(f"{API}/staff/{firm.zhangsan.pk}").json()
    assert body["mobile"] == "138****5678"
    clerk = org_clerk(firm, "org.view_staff", "org.view_pii")
    body = client_for(clerk).get(f"{API}/staff/{firm.zhangsan.pk}")
    assert body.json()["mobile"] == "13812345678"


def test_a_branch_cannot_move_under_its_own_subtree(firm):
    response = client_for(firm.sysadmin).patch(
        f"{API}/branches/{firm.zhejiang.pk}", {"parent": firm.hangzhou.pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in error_of(response)["fields"]
    firm.zhejiang.refresh_from_db()
    assert firm.zhejiang.parent == firm.hq


def test_deleting_a_branch_still_in_use_is_a_409(firm):
    clerk = org_clerk(firm, "org.view_branch", "org.delete_branch")
    response = client_for(clerk).delete(f"{API}/branches/{firm.hangzhou.pk}")
    assert response.status_code == 409
    assert error_of(response)["code"] == "still_referenced"
    assert Branch.objects.filter(pk=firm.hangzhou.pk).exists()


def test_nobody_deletes_org_data_with_the_standard_positions(firm):
    response = client_for(firm.sysadmin).delete(f"{API}/repair-shops/{firm.repair_shop.pk}")
    assert response.status_code == 403
    assert RepairShop.objects.filter(pk=firm.repair_shop.pk).exists()


def test_the_staff_list_costs_the_same_queries_for_more_staff(firm, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(firm.sysadmin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/staff").status_code == 200
    for i in range(10):
        firm.staff(f"extra{i}", f"员工{i}", "surveyor", firm.nanjing)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/staff").status_code == 200
    assert len(many) == len(few)
