"""Who may edit the standards: the system administrator's position, granted on migrate."""

from datetime import date

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
            "effective_from": "2025-01-01",
            "source": row.source,
            "note": row.note,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert str(row.urban_disposable_income) == "66200.00"


def test_the_admin_lists_each_standards_accident_dates(firm, client):
    client.force_login(firm.sysadmin)
    html = client.get("/admin/calc/compensationstandard/?province=浙江").content.decode()
    assert "2023-01-01 至 2023-12-31" in html  # 浙江 2022: until the 2023 row starts
    assert "2024-01-01 起" in html  # 浙江 2023: the latest


def admin_post(client, row, **changes):
    data = {
        "province": row.province,
        "region": row.region,
        "data_year": row.data_year,
        "urban_disposable_income": str(row.urban_disposable_income),
        "effective_from": row.effective_from.isoformat(),
        "effective_to": "",
        "source": row.source,
        **changes,
    }
    return client.post(f"/admin/calc/compensationstandard/{row.pk}/change/", data)


def test_the_admin_refuses_dates_in_force_twice_or_ending_before_they_start(firm, client):
    client.force_login(firm.sysadmin)
    zj_2022 = CompensationStandard.objects.get(province="浙江", region="一般地区", data_year=2022)
    zj_2023 = CompensationStandard.objects.get(province="浙江", region="一般地区", data_year=2023)
    # ending after the next row starts would put two rows in force on 2024-01-01…
    response = admin_post(client, zj_2022, effective_to="2024-01-01")
    assert response.status_code == 200
    assert "与 浙江 一般地区 2023年数据（2024-01-01 起）重叠" in str(
        response.context["adminform"].form.errors["effective_to"]
    )
    # …and so would starting inside an earlier row's own end date
    assert admin_post(client, zj_2022, effective_to="2023-06-30").status_code == 302
    response = admin_post(client, zj_2023, effective_from="2023-06-01")
    assert "重叠" in str(response.context["adminform"].form.errors["effective_from"])
    response = admin_post(client, zj_2023, effective_to="2023-12-31")
    assert "不能早于生效日期" in str(response.context["adminform"].form.errors["effective_to"])
    zj_2023.refresh_from_db()
    assert (zj_2023.effective_from, zj_2023.effective_to) == (date(2024, 1, 1), None)


def test_a_duplicate_standard_is_refused_in_the_admin(firm, client):
    client.force_login(firm.sysadmin)
    response = client.post(
        "/admin/calc/compensationstandard/add/",
        {
            "province": "江苏",
            "region": "一般地区",
            "data_year": 2024,
            "urban_disposable_income": "1",
            "effective_from": "2025-02-01",
            "source": "x",
        },
    )
    assert response.status_code == 200
    assert "统计年度 的 人身损害赔偿标准 已经存在" in str(
        response.context["adminform"].form.non_field_errors()
    )
    assert CompensationStandard.objects.filter(province="江苏", data_year=2024).count() == 1


def test_a_surveyor_cannot_open_the_standards_admin(firm, client):
    client.force_login(firm.zhangsan)
    response = client.get("/admin/calc/compensationstandard/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
