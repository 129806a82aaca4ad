"""The injury calculator page with the accident date and the CTPL / 三者险 split inputs (their
own form, prefix "split"): the split is shown when its inputs are given, errors land on
the field they concern, and the page without them is unchanged."""

import pytest

from lossdesk.calc.forms import InjuryForm, InjurySplitForm
from lossdesk.calc.models import CompensationStandard
from lossdesk.calc.tests.test_pages import assert_explained, injury_post, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, surveyor):
    client.force_login(surveyor)
    return client


def grade_ten(province="江苏", year=2024, **fields) -> dict:
    row = CompensationStandard.objects.get(province=province, data_year=year, region="一般地区")
    return injury_post(
        age="35",
        outcome="disability",
        standard_mode="table",
        standard=str(row.pk),
        disability_grades="10",
        **fields,
    )


def test_the_split_inputs_are_not_part_of_the_injury_form():
    # The injury line's page reuses InjuryForm and takes these from the case.
    assert not {"accident_date", "at_fault", "liability"} & set(InjuryForm.base_fields)
    assert InjurySplitForm().prefix == "split"


def test_the_page_offers_the_split_inputs(browser):
    html = text(browser.get("/calc/injury/"))
    assert 'name="split-accident_date"' in html and 'name="split-at_fault"' in html
    assert "不计算分摊" in html
    # The standards show the day they apply from.
    assert "江苏 一般地区 2024年数据（2025-01-01 起）" in html


def test_the_page_shows_the_split_when_its_inputs_are_given(browser):
    response = browser.post(
        "/calc/injury/",
        grade_ten(
            medical_amount="25000",
            appraisal_fee_amount="1500",
            **{
                "split-accident_date": "2025-03-01",
                "split-at_fault": "at_fault",
                "split-liability": "major",
                "split-commercial_limit": "1000000",
            },
        ),
    )
    html = assert_explained(response)
    split = response.context["result"]["split"]
    # 医疗 25000 → CTPL 18000 (excess 7000); 残疾赔偿金 132346 → CTPL 132346;
    # 三者险 (7000 + 1500) × 70% = 5950; unpaid 158846 − 150346 − 5950 = 2550.
    assert (split["ctpl_total"], split["commercial"]["payout"]) == ("150346.00", "5950.00")
    assert split["unpaid"] == "2550.00"
    assert split["third_party"] is True
    assert "data-calc-split" in html
    assert 'data-calc-figure="commercial_payout">5,950.00<' in html
    assert "商业三者险基数 = 医疗费用超出限额 7000.00 + 死亡伤残超出限额 0.00" in html
    assert "出险日期 2025-03-01" in html and "本车有责" in html
    # what was typed is listed with the other inputs
    assert "主要责任（默认 70%）" in html


def test_a_typed_ratio_and_an_own_occupant(browser):
    response = browser.post(
        "/calc/injury/",
        grade_ten(
            medical_amount="25000",
            appraisal_fee_amount="1500",
            **{
                "split-accident_date": "2025-03-01",
                "split-at_fault": "at_fault",
                "split-own_occupant": "on",
                "split-liability": "custom",
                "split-liability_ratio": "0.6",
            },
        ),
    )
    split = response.context["result"]["split"]
    assert split["third_party"] is False
    assert split["commercial"]["liability_ratio"] == "0.6"
    assert split["unpaid"] == split["total"]
    assert "交强险与商业三者险均不赔付" in text(response)


def test_without_the_split_inputs_the_result_has_no_split(browser):
    response = browser.post("/calc/injury/", grade_ten())
    html = assert_explained(response)
    assert response.context["result"]["split"] is None
    assert "data-calc-split" not in html.replace("data-calc-split-inputs", "")


def test_a_standard_not_in_force_on_the_accident_date_is_refused_on_the_standard(browser):
    response = browser.post(
        "/calc/injury/", grade_ten(year=2023, **{"split-accident_date": "2025-03-01"})
    )
    assert response.context["result"] is None
    (message,) = response.context["form"].errors["standard"]
    assert message == (
        "江苏 一般地区 2023年数据 适用于 2024-01-01 至 2024-12-31 的事故，事故日期 2025-03-01 "
        "不在其内；该日适用 江苏 一般地区 2024年数据（2025-01-01 起）"
    )


def test_a_split_without_an_accident_date_asks_for_it(browser):
    response = browser.post(
        "/calc/injury/", grade_ten(**{"split-at_fault": "at_fault", "split-liability": "full"})
    )
    errors = response.context["split_form"].errors
    assert "须填写出险日期" in errors["accident_date"][0]


def test_an_at_fault_vehicle_without_a_liability_is_asked_for_it(browser):
    response = browser.post(
        "/calc/injury/",
        grade_ten(**{"split-accident_date": "2025-03-01", "split-at_fault": "at_fault"}),
    )
    assert "请填写事故责任比例" in response.context["split_form"].errors["liability"][0]


def test_split_inputs_without_choosing_at_fault_are_not_ignored(browser):
    response = browser.post(
        "/calc/injury/",
        grade_ten(**{"split-accident_date": "2025-03-01", "split-commercial_limit": "500000"}),
    )
    assert response.context["result"] is None
    assert response.context["split_form"].errors["at_fault"]
