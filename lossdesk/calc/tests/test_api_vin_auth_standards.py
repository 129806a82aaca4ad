"""The VIN endpoint, authentication, and standards read from the editable tables."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from lossdesk.calc.models import (
    CompensationStandard,
    CtplLimitTable,
    DepreciationRate,
    DepreciationTable,
    WmiEntry,
)
from lossdesk.calc.tests.conftest import API, api_client_for
from lossdesk.calc.tests.test_api_vectors import TV8_BODY, payments, tv2_body
from lossdesk.rules.vin import check_digit

pytestmark = pytest.mark.django_db


def with_check_digit(vin: str) -> str:
    """The VIN with position 9 set to its correct check digit."""
    return vin[:8] + check_digit(vin) + vin[9:]


# --- VIN ----------------------------------------------------------------------------------


def test_a_valid_chinese_vin_gives_maker_country_and_year_from_the_wmi_table(api):
    response = api.get(f"{API}/vin/LSVUB6C10K2053790")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("vin", "check_digit_ok", "expected_check_digit", "wmi")} == {
        "vin": "LSVUB6C10K2053790",
        "check_digit_ok": True,
        "expected_check_digit": "0",
        "wmi": "LSV",
    }
    assert (body["manufacturer"], body["manufacturer_zh"]) == ("SAIC Volkswagen", "上汽大众")
    assert (body["country"], body["model_year"]) == ("中国", 2019)
    assert "vininfo" in body["wmi_entry"]["source"]
    assert any("校验位" in line for line in body["explanation"])


def test_a_check_digit_of_ten_is_x(api):
    body = api.get(f"{API}/vin/lrw3e7faxrc093951").json()
    assert (body["vin"], body["check_digit_ok"], body["expected_check_digit"]) == (
        "LRW3E7FAXRC093951",
        True,
        "X",
    )
    assert (body["manufacturer_zh"], body["model_year"]) == ("特斯拉（上海）", 2024)


def test_a_wrong_check_digit_is_a_200_with_check_digit_ok_false(api):
    response = api.get(f"{API}/vin/LSVAM4187C2184841")
    assert response.status_code == 200
    body = response.json()
    assert (body["check_digit_ok"], body["check_digit"], body["expected_check_digit"]) == (
        False,
        "7",
        "6",
    )
    assert any("应为 6" in line for line in body["explanation"])


@pytest.mark.parametrize("vin", ["LSVUB6C10K205379", "LSVUB6C10K20537900", "LSVUB6C10K205379O"])
def test_a_vin_of_the_wrong_length_or_characters_is_a_400_with_a_clear_message(api, vin):
    response = api.get(f"{API}/vin/{vin}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "VIN 须为 17 位，只含数字和除 I、O、Q 以外的字母"
    assert error["fields"] == {"vin": [error["message"]]}


def test_an_unknown_wmi_still_gives_the_country_and_year(api):
    assert not WmiEntry.objects.filter(wmi="LXX").exists()
    body = api.get(f"{API}/vin/{with_check_digit('LXXAB1230R0000001')}").json()
    assert (body["manufacturer"], body["country"], body["model_year"]) == (None, "中国", 2024)
    assert body["wmi_entry"] is None


def test_a_wmi_added_by_an_administrator_names_the_maker(firm, client):
    vin = with_check_digit("LNNAB1230R0000001")
    client.force_login(firm.sysadmin)
    response = client.post(
        "/admin/calc/wmientry/add/",
        {
            "wmi": "lnn",
            "manufacturer": "Chery (new WMI)",
            "manufacturer_zh": "奇瑞汽车（新）",
            "country": "",
            "source": "实车 VIN 核对",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert WmiEntry.objects.get(wmi="LNN").manufacturer_zh == "奇瑞汽车（新）"
    body = api_client_for(firm.zhangsan).get(f"{API}/vin/{vin}").json()
    assert (body["check_digit_ok"], body["manufacturer_zh"], body["country"]) == (
        True,
        "奇瑞汽车（新）",
        "中国",
    )
    assert body["wmi_entry"]["source"] == "实车 VIN 核对"


def test_a_small_maker_is_found_by_its_six_character_code(api):
    WmiEntry.objects.create(wmi="LA9ABC", manufacturer="Tiny Bus Co", manufacturer_zh="小客车厂")
    body = api.get(f"{API}/vin/{with_check_digit('LA9DE1230RXABC001')}").json()
    assert (body["small_maker"], body["manufacturer_zh"]) == (True, "小客车厂")


# --- authentication -----------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/vin/LSVUB6C10K2053790"),
    ("post", "/calc/actual-value"),
    ("post", "/calc/ctpl"),
    ("post", "/calc/commercial"),
    ("post", "/calc/injury"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_without_a_token_every_endpoint_is_a_401_error_body(db, method, path):
    response = getattr(APIClient(), method)(f"{API}{path}", {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_a_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.post(f"{API}/calc/actual-value", TV8_BODY, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


# --- the standards come from the tables ---------------------------------------------------


def injury_grade_ten(post, standard: dict) -> dict:
    body = {"age": 35, "outcome": "disability", "standard": standard, "disability_grades": [10]}
    return post("injury", body).json()


def test_a_compensation_standard_added_to_the_table_can_be_used_at_once(post):
    CompensationStandard.objects.create(
        province="安徽",
        data_year=2024,
        effective_from=date(2025, 1, 1),
        urban_disposable_income=Decimal("50000"),
        source="安徽省统计局（测试）",
    )
    body = injury_grade_ten(post, {"province": "安徽", "year": 2024})
    assert body["items"]["disability_compensation"]["amount"] == "100000.00"
    assert body["standard"]["source"] == "安徽省统计局（测试）"


def test_editing_a_seeded_standard_changes_the_result(post):
    CompensationStandard.objects.filter(province="江苏", data_year=2024).update(
        urban_disposable_income=Decimal("70000")
    )
    body = injury_grade_ten(post, {"province": "江苏", "year": 2024})
    assert body["items"]["disability_compensation"]["amount"] == "140000.00"


def test_a_region_with_its_own_figures_is_chosen_by_name(post):
    body = injury_grade_ten(post, {"province": "浙江", "year": 2022, "region": "宁波"})
    assert body["items"]["disability_compensation"]["amount"] == "153380.00"  # 76690 × 2


def test_a_new_ctpl_limit_table_applies_from_its_date_only(post):
    CtplLimitTable.objects.create(
        effective_from=date(2026, 1, 1),
        name="交强险责任限额（测试 2026-01-01起）",
        at_fault_death_disability=Decimal("200000"),
        at_fault_medical=Decimal("20000"),
        at_fault_property=Decimal("3000"),
        not_at_fault_death_disability=Decimal("20000"),
        not_at_fault_medical=Decimal("2000"),
        not_at_fault_property=Decimal("100"),
        source="测试",
    )
    new = post("ctpl", tv2_body(accident_date="2026-02-01")).json()
    old = post("ctpl", tv2_body(accident_date="2025-12-31")).json()
    # A's shares 1200 × 3000/3100 + 1000 × 3000/3100 now stay under its limit: no cap
    assert new["totals"]["A"] == "2129.03"
    assert new["standard"]["name"] == "交强险责任限额（测试 2026-01-01起）"
    assert old["totals"]["A"] == "2000.00"
    assert payments(old)[("A", "B", "property")] == "1090.91"


def test_a_new_depreciation_table_applies_to_accidents_from_its_date(post):
    table = DepreciationTable.objects.create(
        effective_from=date(2025, 1, 1), name="测试折旧表", source="测试"
    )
    DepreciationRate.objects.create(
        table=table, vehicle_class="passenger_under_10", use="private", monthly_rate="0.0050"
    )
    new = post("actual-value", {**TV8_BODY, "accident_date": "2025-06-01"}).json()
    old = post("actual-value", {**TV8_BODY, "accident_date": "2024-06-01"}).json()
    assert (new["monthly_rate"], new["actual_value"]) == ("0.0050", "162000.00")
    assert new["standard"]["name"] == "测试折旧表"
    assert old["actual_value"] == "154400.00"


# --- cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "queries"),
    [
        ("get", "/vin/LSVUB6C10K2053790", None, 2),
        ("post", "/calc/actual-value", TV8_BODY, 3),
        ("post", "/calc/ctpl", tv2_body(), 2),
        (
            "post",
            "/calc/injury",
            {
                "age": 30,
                "outcome": "disability",
                "standard": {"province": "江苏", "year": 2024},
                "disability_grades": [10],
            },
            2,
        ),
    ],
)
def test_each_calculation_reads_its_standards_in_a_fixed_number_of_queries(
    api, django_assert_num_queries, method, path, body, queries
):
    # one for the token and its user, then the standards (a depreciation table and its rates)
    with django_assert_num_queries(queries):
        response = getattr(api, method)(f"{API}{path}", body, format="json")
    assert response.status_code == 200
