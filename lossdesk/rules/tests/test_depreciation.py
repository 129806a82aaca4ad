from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.depreciation import (
    CLAUSE_2014_TABLE,
    ActualValueInput,
    VehicleClass,
    VehicleUse,
    actual_value,
    monthly_rate,
    whole_months,
)
from lossdesk.rules.errors import RuleInputError

CAR = VehicleClass.passenger_under_10


def test_tv8_a_private_car_at_38_months_is_worth_154400() -> None:
    months = whole_months(date(2021, 1, 10), date(2024, 3, 30))  # 38 months 20 days
    assert months == 38
    result = actual_value(ActualValueInput("200000", CAR, VehicleUse.private, months))
    assert result.monthly_rate == Decimal("0.0060")
    assert str(result.monthly_rate) == "0.0060"
    assert result.depreciation_rate == Decimal("0.228")
    assert result.depreciation == Decimal("45600.00")
    assert result.actual_value == Decimal("154400.00")
    assert not result.capped


def test_tv8_depreciation_at_134_months_is_capped_at_80_percent() -> None:
    result = actual_value(ActualValueInput(200000, CAR, VehicleUse.private, 134))
    assert result.capped
    assert result.depreciation_rate == Decimal("0.80")
    assert result.actual_value == Decimal("40000.00")
    assert any("80%" in line for line in result.explanation)


def test_tv8_at_133_months_the_cap_does_not_yet_apply() -> None:
    result = actual_value(ActualValueInput(200000, CAR, VehicleUse.private, 133))
    assert not result.capped
    assert result.depreciation_rate == Decimal("0.798")
    assert result.actual_value == Decimal("40400.00")


def test_tv8_a_taxi_depreciates_1_1_percent_a_month() -> None:
    result = actual_value(ActualValueInput(100000, CAR, "commercial_taxi", 24))
    assert result.monthly_rate == Decimal("0.0110")
    assert result.depreciation_rate == Decimal("0.264")
    assert result.actual_value == Decimal("73600.00")


def test_the_seeded_table_matches_every_cell_of_the_2014_clause() -> None:
    expected = {
        VehicleClass.passenger_under_10: ("0.0060", "0.0060", "0.0110", "0.0090"),
        VehicleClass.passenger_10_plus: ("0.0090", "0.0090", "0.0110", "0.0090"),
        VehicleClass.mini_truck: (None, "0.0090", "0.0110", "0.0110"),
        VehicleClass.truck_with_trailer: (None, "0.0090", "0.0110", "0.0110"),
        VehicleClass.low_speed_truck: (None, "0.0110", "0.0140", "0.0140"),
        VehicleClass.other: (None, "0.0090", "0.0110", "0.0090"),
    }
    for cls, row in expected.items():
        for use, cell in zip(VehicleUse, row, strict=True):
            if cell is None:
                assert (cls, use) not in CLAUSE_2014_TABLE.rates
            else:
                assert monthly_rate(cls, use) == Decimal(cell)
    assert CLAUSE_2014_TABLE.cap == Decimal("0.80")


def test_a_slash_cell_of_the_table_is_an_input_error_on_use() -> None:
    with pytest.raises(RuleInputError) as caught:
        actual_value(ActualValueInput(50000, VehicleClass.mini_truck, VehicleUse.private, 10))
    assert caught.value.field == "use"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ActualValueInput(50000, "bus", VehicleUse.private, 10), "vehicle_class"),
        (ActualValueInput(50000, CAR, "rental", 10), "use"),
        (ActualValueInput("-1", CAR, VehicleUse.private, 10), "new_price"),
        (ActualValueInput(50000.0, CAR, VehicleUse.private, 10), "new_price"),  # type: ignore[arg-type]
        (ActualValueInput(50000, CAR, VehicleUse.private, -1), "months"),
    ],
)
def test_bad_input_names_its_field(data: ActualValueInput, field: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        actual_value(data)
    assert caught.value.field == field


def test_a_part_month_does_not_count() -> None:
    assert whole_months(date(2024, 1, 15), date(2024, 2, 14)) == 0
    assert whole_months(date(2024, 1, 15), date(2024, 2, 15)) == 1
    assert whole_months(date(2024, 1, 15), date(2024, 1, 15)) == 0


def test_a_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month() -> None:
    assert whole_months(date(2023, 1, 31), date(2023, 2, 27)) == 0
    assert whole_months(date(2023, 1, 31), date(2023, 2, 28)) == 1
    assert whole_months(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert whole_months(date(2023, 12, 31), date(2025, 1, 30)) == 12


def test_whole_months_accepts_datetimes() -> None:
    assert whole_months(datetime(2024, 1, 15, 9), datetime(2024, 3, 15, 8)) == 2


def test_an_accident_before_first_registration_is_an_input_error() -> None:
    with pytest.raises(RuleInputError) as caught:
        whole_months(date(2024, 5, 1), date(2024, 4, 30))
    assert caught.value.field == "accident_date"


PAIRS = sorted(CLAUSE_2014_TABLE.rates)


@given(
    pair=st.sampled_from(PAIRS),
    months=st.integers(min_value=0, max_value=600),
    price=st.decimals(min_value=0, max_value=10_000_000, places=2),
)
def test_depreciation_never_exceeds_80_percent_of_the_new_price(
    pair: tuple[VehicleClass, VehicleUse], months: int, price: Decimal
) -> None:
    result = actual_value(ActualValueInput(price, pair[0], pair[1], months))
    assert result.depreciation_rate <= Decimal("0.80")
    assert result.depreciation <= price * Decimal("0.80") + Decimal("0.005")
    assert result.actual_value + result.depreciation == price
    assert result.capped == (months * result.monthly_rate > Decimal("0.80"))
