"""The calculator pages: login required, each form shows its result with the explanation,
errors land on the field they concern, and the pages obey the strict CSP."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from lossdesk.calc.models import CompensationStandard

pytestmark = pytest.mark.django_db

PAGES = [
    ("/calc/", "理算工具"),
    ("/calc/vin/", "VIN 解码"),
    ("/calc/actual-value/", "折旧、实际价值与推定全损"),
    ("/calc/ctpl/", "交强险分摊"),
    ("/calc/commercial/", "商业三者险与车损险赔款"),
    ("/calc/injury/", "人身损害赔偿"),
    ("/calc/standards/", "现行标准"),
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture
def browser(client, surveyor):
    client.force_login(surveyor)
    return client


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def text(response) -> str:
    return response.content.decode()


def assert_explained(response) -> str:
    """The result is there with its explanation, printable, and the form is kept."""
    html = text(response)
    assert response.status_code == 200
    assert "data-calc-result" in html and "计算过程" in html and "取整：" in html
    assert "data-calc-print" in html
    assert "calc-form" in html
    return html


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_each_page_needs_a_login(client, db, path, title):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_each_page_renders_without_inline_script_or_style(browser, path, title):
    response = browser.get(path)
    html = text(response)
    assert response.status_code == 200
    assert title in html
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html and "<style" not in html
    assert "js/calc.js" in html and "css/calc.css" in html


def test_the_print_script_and_print_stylesheet_are_served_as_files():
    script = Path(finders.find("js/calc.js")).read_text(encoding="utf-8")
    css = Path(finders.find("css/calc.css")).read_text(encoding="utf-8")
    assert "window.print()" in script
    assert "@media print" in css and ".navbar" in css and ".calc-form" in css


def test_the_index_links_every_calculator(browser):
    html = text(browser.get("/calc/"))
    for path, _ in PAGES[1:]:
        assert f'href="{path}"' in html


def test_the_vin_page_decodes_a_vin(browser):
    html = assert_explained(browser.get("/calc/vin/", {"vin": "lsvub6c10k2053790"}))
    assert "上汽大众" in html and "2019" in html and "LSVUB6C10K2053790" in html


def test_the_vin_page_shows_a_wrong_check_digit_and_a_malformed_vin(browser):
    assert "应为 <strong>6</strong>" in text(
        browser.get("/calc/vin/", {"vin": "LSVAM4187C2184841"})
    )
    response = browser.get("/calc/vin/", {"vin": "LSVAM4187C218484"})
    assert response.context["form"].errors["vin"] == [
        "VIN 须为 17 位，只含数字和除 I、O、Q 以外的字母"
    ]
    assert "data-calc-result" not in text(response)


def test_the_actual_value_page_shows_the_figures_and_the_standard(browser):
    response = browser.post(
        "/calc/actual-value/",
        {
            "new_price": "200000",
            "vehicle_class": "passenger_under_10",
            "use": "private",
            "months": "38",
            "repair_cost": "160000",
        },
    )
    html = assert_explained(response)
    assert "154,400.00" in html and "45,600.00" in html
    assert "折旧金额 = 200000.00 × 22.8% = 45600.00" in html
    assert "构成推定全损" in html
    assert "2014版示范条款 参考折旧系数表" in html and "释义 参考折旧系数表" in html
    assert "已使用月数" in html  # the inputs table


def test_the_actual_value_page_puts_a_rule_error_on_its_field(browser):
    response = browser.post(
        "/calc/actual-value/",
        {
            "new_price": "200000",
            "vehicle_class": "mini_truck",
            "use": "private",
            "months": "38",
        },
    )
    assert response.status_code == 200
    assert "没有“微型载货汽车 · 家庭自用”的折旧系数" in response.context["form"].errors["use"][0]
    assert response.context["result"] is None


def ctpl_post(vehicles, losses, **extra) -> dict:
    data = {"accident_date": "2024-05-01", **management("vehicles", 4), **management("losses", 6)}
    for i, (vid, at_fault) in enumerate(vehicles):
        data[f"vehicles-{i}-id"] = vid
        if at_fault:
            data[f"vehicles-{i}-at_fault"] = "on"
    for i, (victim, kind, amount) in enumerate(losses):
        data |= {
            f"losses-{i}-victim": victim,
            f"losses-{i}-kind": kind,
            f"losses-{i}-amount": amount,
        }
    return data | extra


TV2_VEHICLES = [("A", True), ("B", False), ("C", False)]
TV2_LOSSES = [("A", "property", "3000"), ("B", "property", "1200"), ("C", "property", "1000")]


def test_the_ctpl_page_apportions_tv2_with_blank_rows_left_over(browser):
    html = assert_explained(browser.post("/calc/ctpl/", ctpl_post(TV2_VEHICLES, TV2_LOSSES)))
    for amount in ("1,090.91", "909.09", "96.92", "3.08", "96.33", "3.67"):
        assert f">{amount}<" in html
    assert "超过有责限额 2000.00，按比例压缩" in html
    assert "交强险责任限额（2020-09-19起）" in html and "2020年第2号" in html


def test_the_ctpl_page_without_javascript_offers_blank_rows_and_a_row_template(browser):
    html = text(browser.get("/calc/ctpl/"))
    assert 'name="vehicles-3-id"' in html and 'name="losses-5-amount"' in html
    assert 'id="losses-empty-row"' in html and "losses-__prefix__-amount" in html
    assert 'data-calc-add-row="losses" hidden' in html


def test_the_ctpl_page_puts_errors_on_the_row_they_concern(browser):
    data = ctpl_post([("A", True), ("B", False), ("A", False)], TV2_LOSSES[:2])
    response = browser.post("/calc/ctpl/", data)
    vehicles = response.context["formsets"]["vehicles"]
    assert "车辆标识 'A' 重复" in vehicles.forms[2].errors["id"][0]

    data = ctpl_post(TV2_VEHICLES, [("A", "property", "3000"), ("", "", ""), ("B", "theft", "-1")])
    response = browser.post("/calc/ctpl/", data)
    row = response.context["formsets"]["losses"].forms[2]
    assert set(row.errors) == {"kind", "amount"}
    assert response.context["result"] is None


def test_the_ctpl_page_with_no_vehicle_says_so(browser):
    response = browser.post("/calc/ctpl/", ctpl_post([], []))
    assert response.context["form"].non_field_errors() == ["至少需要一辆车"]


def test_the_commercial_page_computes_both_covers(browser):
    response = browser.post(
        "/calc/commercial/",
        {
            "tp_assessed_loss": "300000",
            "tp_ctpl_item_limits": "0",
            "tp_liability": "major",
            "tp_policy_limit": "150000",
            "tp_liability_deductible_rate": "0.15",
            "od_sum_insured": "100000",
            "od_repair_cost": "8000",
            "od_absolute_deductible_rates": "0.05",
        },
    )
    html = assert_explained(response)
    assert "127,500.00" in html and "7,600.00" in html and "135,100.00" in html
    assert "车损险事故责任免赔率未填" in html  # the default is named


def test_the_commercial_page_needs_one_cover_and_maps_errors_to_the_section(browser):
    response = browser.post("/calc/commercial/", {})
    assert "请至少填写三者险" in response.context["form"].non_field_errors()[0]
    response = browser.post(
        "/calc/commercial/", {"tp_assessed_loss": "1000", "tp_ctpl_item_limits": "0"}
    )
    assert response.context["form"].errors["tp_liability"]


def test_the_commercial_page_keeps_a_zero_ctpl_deduction(browser):
    response = browser.post(
        "/calc/commercial/",
        {
            "tp_assessed_loss": "1000",
            "tp_ctpl_item_limits": "0",
            "tp_liability": "custom",
            "tp_liability_ratio": "0.6",
            "tp_policy_limit": "500000",
        },
    )
    assert response.context["result"]["third_party"]["payout"] == "600.00"


def injury_post(**fields) -> dict:
    return {**management("dependants", 3), "nursing_carers": "1", **fields}


def test_the_injury_page_uses_the_standard_chosen_from_the_table(browser):
    row = CompensationStandard.objects.get(province="江苏", data_year=2024, region="一般地区")
    response = browser.post(
        "/calc/injury/",
        injury_post(
            age="35",
            outcome="disability",
            standard_mode="table",
            standard=str(row.pk),
            disability_grades="10",
            **{"dependants-0-age": "10", "dependants-0-supporters": "2"},
        ),
    )
    html = assert_explained(response)
    assert "66173.00 × 20年 × 10% = 132346.00" in html
    items = response.context["result"]["items"]
    # 42197 × 8 years × 10% ÷ 2 supporters
    assert items["dependant_living"]["amount"] == "16878.80"
    assert "江苏统计局" in html  # the standard's source


def test_the_injury_page_takes_inline_figures_and_several_grades(browser):
    response = browser.post(
        "/calc/injury/",
        injury_post(
            age="40",
            outcome="disability",
            standard_mode="inline",
            std_urban_disposable_income="30971",
            disability_grades="9，10、10",
            medical_amount="21000",
            hospital_days="64",
            hospital_food_daily="20",
        ),
    )
    html = assert_explained(response)
    result = response.context["result"]
    assert result["disability_coefficient"] == "0.22"
    assert result["items"]["hospital_food"]["amount"] == "1280.00"
    assert "多处伤残附加规则按默认" in html


def test_the_injury_page_applies_a_configured_add_on_table(browser):
    response = browser.post(
        "/calc/injury/",
        injury_post(
            age="40",
            outcome="disability",
            standard_mode="inline",
            std_urban_disposable_income="10000",
            disability_grades="4,5,8",
            addon_kind="grade_table",
            addon_grade_table="2-5:0.10, 6-10:0.05",
            addon_extras_cap="0.20",
        ),
    )
    assert response.context["result"]["disability_coefficient"] == "0.85"


def test_the_injury_page_explains_what_a_chosen_standard_lacks(browser):
    row = CompensationStandard.objects.get(province="江苏", data_year=2023)
    response = browser.post(
        "/calc/injury/",
        injury_post(age="40", outcome="death", standard_mode="table", standard=str(row.pk)),
    )
    assert "未收录该项" in response.context["form"].errors["standard"][0]


def test_the_injury_page_rejects_a_grade_outside_one_to_ten(browser):
    response = browser.post(
        "/calc/injury/",
        injury_post(
            age="40",
            outcome="disability",
            standard_mode="inline",
            std_urban_disposable_income="1",
            disability_grades="11",
        ),
    )
    assert response.context["form"].errors["disability_grades"]


def test_the_standards_page_lists_every_table_with_its_source(browser):
    html = text(browser.get("/calc/standards/"))
    assert "苏高法电〔2024〕128号" in html and "宁波" in html
    assert "2023-01-01 至 2023-12-31" in html  # 浙江 2022, until the 2023 row starts
    assert "交强险责任限额（2020-09-19起）" in html and "180,000.00" in html
    assert "0.0060" in html and ">/<" in html  # the clause table, "/" cells included
    assert "LSV" in html and "上汽大众" in html
