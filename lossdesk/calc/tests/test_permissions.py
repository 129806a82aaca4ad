"""Who may edit the standards: the system administrator's position, granted on migrate."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission

from lossdesk.calc.apps import grant_standards_permissions
from lossdesk.calc.models import CompensationStandard
from lossdesk.org.models import Position

pytestmark = pytest.mark.django_db

CALC_CHANGE = [
    "calc.change_compensationstandard",
    "calc.change_ctpllimittable",
    "calc.change_depreciationtable",
    "calc.change_depreciationrate",
    "calc.change_wmientry",
]


def calc_perms(code: str) -> set[str]:
    position = Position.objects.get(code=code)
    return set(
        position.permissions.filter(content_type__app_label="calc").values_list(
            "codename", flat=True
        )
    )


def test_the_system_administrator_may_edit_every_standards_table(firm):
    assert all(firm.sysadmin.has_perm(perm) for perm in CALC_CHANGE)
    assert firm.sysadmin.has_perm("calc.add_compensationstandard")


def test_business_staff_may_calculate_but_not_edit_the_standards(firm):
    for user in (firm.zhangsan, firm.lisi, firm.zhoujiu, firm.finance):
        assert not any(user.has_perm(perm) for perm in CALC_CHANGE)


def test_the_grant_is_not_repeated_once_the_position_holds_a_calc_permission(firm):
    position = Position.objects.get(code="system_admin")
    position.permissions.remove(
        *Permission.objects.filter(content_type__app_label="calc").exclude(
            codename="view_compensationstandard"
        )
    )
    grant_standards_permissions(sender=apps.get_app_config("calc"))
    assert calc_perms("system_admin") == {"view_compensationstandard"}


def test_a_position_without_any_calc_permission_receives_them(firm):
    position = Position.objects.get(code="system_admin")
    position.permissions.remove(*Permission.objects.filter(content_type__app_label="calc"))
    grant_standards_permissions(sender=apps.get_app_config("calc"))
    assert "change_compensationstandard" in calc_perms("system_admin")
    assert calc_perms("surveyor") == set()


def test_the_system_administrator_edits_a_standard_in_the_admin(firm, client):
    row = CompensationStandard.objects.get(province="江苏", data_year=2024)
    client.force_login(firm.sysadmin)
    assert client.get("/admin/calc/compensationstandard/").status_code == 200
    response = client.post(
        f"/admin/calc/compensationstandard/{row.pk}/change/",
        {
            "province": "江苏",
            "region": "一般地区",
            "data_year": 2024,
            "urban_disposable_income": "66200",
            "urban_consumption": "42197",
            "average_wage": "127620",
            "wage_label": row.wage_label,
            "wage_year": 2023,
            "source": row.source,
            "note": row.note,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert str(row.urban_disposable_income) == "66200.00"


def test_a_duplicate_standard_is_refused_in_the_admin(firm, client):
    client.force_login(firm.sysadmin)
    response = client.post(
        "/admin/calc/compensationstandard/add/",
        {
            "province": "江苏",
            "region": "一般地区",
            "data_year": 2024,
            "urban_disposable_income": "1",
            "source": "x",
        },
    )
    assert response.status_code == 200
    assert CompensationStandard.objects.filter(province="江苏", data_year=2024).count() == 1


def test_a_surveyor_cannot_open_the_standards_admin(firm, client):
    client.force_login(firm.zhangsan)
    response = client.get("/admin/calc/compensationstandard/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
