from datetime import date

import pytest

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.vin import SEED_WMIS, check_digit, decode_vin

TODAY = date(2025, 6, 1)

# RULES.md §5.6: VINs whose check digit we recomputed, with the year each source gives.
VALID_VINS = {
    "LSVUB6C10K2053790": ("SAIC Volkswagen", 2019),
    "LSGKB52H4JV046376": ("SAIC General Motors", 2018),
    "LSGKB54H5KV225363": ("SAIC General Motors", 2019),
    "LSGKB52H1HV024751": ("SAIC General Motors", 2017),
    "LRW3E7FAXRC093951": ("Tesla China", 2024),
    "LRW3E7EK6RC076090": ("Tesla China", 2024),
    "LRW3E7FSXPC660715": ("Tesla China", 2023),
    "LRW3E7FA9MC239068": ("Tesla China", 2021),
    "LFV2A21K1K3001234": ("FAW-Volkswagen", 2019),
    "LSVAU2189N2000001": ("SAIC Volkswagen", 2022),
}
# (VIN as published, check digit it should have had)
WRONG_CHECK_DIGIT = {
    "LSVAM4187C2184841": "6",
    "LFV2A21J970002040": "4",
    "LRW3E7FA0MC000002": "1",
}
# RULES.md §5.4: the 48 Chinese WMIs of vininfo.
VININFO_CHINESE_WMIS = [
    "L4C",
    "L56",
    "L5Y",
    "L6T",
    "LBE",
    "LBV",
    "LC0",
    "LDC",
    "LDY",
    "LE4",
    "LFM",
    "LFP",
    "LFV",
    "LGB",
    "LGH",
    "LGJ",
    "LGW",
    "LGX",
    "LH1",
    "LHG",
    "LJ1",
    "LJD",
    "LKL",
    "LLV",
    "LMG",
    "LPA",
    "LRB",
    "LRW",
    "LS5",
    "LSG",
    "LSJ",
    "LSV",
    "LSY",
    "LTV",
    "LUC",
    "LVG",
    "LVH",
    "LVR",
    "LVS",
    "LVV",
    "LVY",
    "LWV",
    "LYV",
    "LZE",
    "LZG",
    "LZM",
    "LZW",
    "LZY",
]


@pytest.mark.parametrize(("vin", "expected"), VALID_VINS.items())
def test_published_chinese_vins_pass_the_check_digit_with_maker_and_year(
    vin: str, expected: tuple[str, int]
) -> None:
    info = decode_vin(vin, today=TODAY)
    assert info.check_digit_ok
    assert (info.manufacturer, info.model_year) == expected
    assert info.country == "China"


@pytest.mark.parametrize(("vin", "digit"), WRONG_CHECK_DIGIT.items())
def test_a_wrong_check_digit_is_reported_without_raising(vin: str, digit: str) -> None:
    info = decode_vin(vin, today=TODAY)
    assert not info.check_digit_ok
    assert info.expected_check_digit == digit


def test_the_published_worked_example_sums_to_350_and_has_check_digit_9() -> None:
    assert check_digit("UU6JA69691D713820") == "9"
    assert decode_vin("UU6JA69691D713820", today=TODAY).check_digit_ok


def test_a_remainder_of_ten_gives_check_digit_x() -> None:
    assert check_digit("LRW3E7FAXRC093951") == "X"
    assert decode_vin("1M8GDM9AXKP042788", today=TODAY).check_digit_ok


def test_input_is_stripped_and_upper_cased() -> None:
    info = decode_vin("  lsvub6c10k2053790 \n", today=TODAY)
    assert info.vin == "LSVUB6C10K2053790"
    assert info.check_digit_ok


@pytest.mark.parametrize(
    "bad",
    ["", "LSVUB6C10K205379", "LSVUB6C10K20537900", "LSVUB6C1OK2053790", "LSVUB6C10K2053-90"],
)
def test_a_malformed_vin_is_an_input_error_on_the_vin_field(bad: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        decode_vin(bad, today=TODAY)
    assert caught.value.field == "vin"


def test_a_vin_that_is_not_a_string_is_an_input_error() -> None:
    with pytest.raises(RuleInputError) as caught:
        decode_vin(12345678901234567, today=TODAY)  # type: ignore[arg-type]
    assert caught.value.field == "vin"


def test_the_seed_table_has_every_vininfo_chinese_wmi_with_a_chinese_name() -> None:
    assert len(VININFO_CHINESE_WMIS) == 48
    for wmi in VININFO_CHINESE_WMIS:
        entry = SEED_WMIS[wmi]
        assert entry.country == "China"
        assert entry.manufacturer and entry.manufacturer_zh


def test_every_seed_wmi_is_chinese_and_three_legal_characters() -> None:
    for wmi, entry in SEED_WMIS.items():
        assert len(wmi) == 3 and wmi.startswith("L")
        assert not set(wmi) & set("IOQ")
        assert entry.country == "China"


def test_the_chinese_manufacturer_name_is_returned() -> None:
    info = decode_vin("LSVUB6C10K2053790", today=TODAY)
    assert info.manufacturer_zh == "上汽大众"
    assert info.wmi == "LSV"


def test_the_model_year_is_the_latest_in_its_cycle_not_after_next_year() -> None:
    # 'T' is 1996 or 2026: in mid-2025 next year's models already exist.
    assert decode_vin("LSVUB6C10T2053790", today=TODAY).model_year == 2026
    assert decode_vin("LSVUB6C10T2053790", today=date(2024, 1, 1)).model_year == 1996
    # 'V' is 1997 or 2027; 2027 is too far ahead in 2025.
    assert decode_vin("LSVUB6C10V2053790", today=TODAY).model_year == 1997


def test_a_position_ten_character_that_is_no_year_code_gives_no_year() -> None:
    assert decode_vin("LSVUB6C1002053790", today=TODAY).model_year is None
    assert decode_vin("LSVUB6C10Z2053790", today=TODAY).model_year is None


def test_an_unknown_chinese_wmi_still_gives_country_and_year() -> None:
    info = decode_vin("LXXUB6C10K2053790", today=TODAY)
    assert info.manufacturer is None and info.manufacturer_zh is None
    assert info.country == "China"
    assert info.model_year == 2019


@pytest.mark.parametrize(
    ("vin", "country"),
    [
        ("WVWZZZ1JZXW000001", "Germany"),
        ("KMHCG51BP1U000001", "South Korea"),
        ("SAJAA01T1FB000001", "United Kingdom"),
        ("1M8GDM9AXKP042788", "United States"),
        ("JHMCM56557C000001", "Japan"),
        ("VF1AA000000000001", "France"),
        ("ZFA22300005556777", "Italy"),
        ("YV1AS982181000001", "Sweden"),
    ],
)
def test_the_country_comes_from_the_first_one_or_two_characters(vin: str, country: str) -> None:
    assert decode_vin(vin, today=TODAY).country == country


def test_a_country_outside_the_small_table_is_unknown() -> None:
    assert decode_vin("AAAAA000000000001", today=TODAY).country is None


def test_the_caller_can_pass_its_own_wmi_table() -> None:
    table = {"LSV": ("Our SVW", "我们的上汽大众", "China")}
    info = decode_vin("LSVUB6C10K2053790", wmi_table=table, today=TODAY)
    assert (info.manufacturer, info.manufacturer_zh) == ("Our SVW", "我们的上汽大众")
    assert decode_vin("LRW3E7FAXRC093951", wmi_table=table, today=TODAY).manufacturer is None


def test_a_small_maker_is_looked_up_by_wmi_plus_positions_12_to_14() -> None:
    vin = "LA9UB6C10K2ABC790"
    table = {"LA9ABC": ("Tiny Works", "小厂", "China"), "LA9": ("Generic", "通用", "China")}
    info = decode_vin(vin, wmi_table=table, today=TODAY)
    assert info.small_maker
    assert info.manufacturer == "Tiny Works"
    assert not decode_vin("LSVUB6C10K2053790", today=TODAY).small_maker
