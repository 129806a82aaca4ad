"""Assessment-sheet arithmetic (motor.rules): pure, no database."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossdesk.motor.rules import KINDS, Line, line_amount, sheet_totals

FEN = Decimal("0.01")


def test_a_line_amount_is_quantity_times_unit_price():
    assert line_amount(Line("replace", Decimal("2"), Decimal("640.50"))) == Decimal("1281.00")


def test_a_line_amount_rounds_half_up_to_the_fen():
    # 2.5 × 33.33 = 83.325: half-up gives 83.33 where banker's rounding would give 83.32.
    assert line_amount(Line("labour", Decimal("2.5"), Decimal("33.33"))) == Decimal("83.33")
    assert line_amount(Line("labour", Decimal("0.5"), Decimal("0.01"))) == Decimal("0.01")
    assert line_amount(Line("labour", Decimal("3"), Decimal("0.335"))) == Decimal("1.01")


def test_a_line_amount_just_below_the_half_fen_rounds_down():
    assert line_amount(Line("paint", Decimal("2.5"), Decimal("33.3299"))) == Decimal("83.32")


def test_a_line_amount_always_carries_two_decimals():
    amount = line_amount(Line("paint", Decimal("1"), Decimal("450")))
    assert str(amount) == "450.00"


def test_sheet_totals_add_up_each_kind_and_deduct_the_salvage():
    totals = sheet_totals(
        [
            Line("replace", Decimal("1"), Decimal("1280.00"), Decimal("50.00")),
            Line("replace", Decimal("2"), Decimal("100.00"), Decimal("30.00")),
            Line("repair", Decimal("1"), Decimal("300")),
            Line("paint", Decimal("1"), Decimal("450")),
            Line("labour", Decimal("2.5"), Decimal("80")),
            Line("materials", Decimal("1"), Decimal("35.5")),
        ]
    )
    assert totals.by_kind == {
        "replace": Decimal("1480.00"),
        "repair": Decimal("300.00"),
        "paint": Decimal("450.00"),
        "labour": Decimal("200.00"),
        "materials": Decimal("35.50"),
        "sublet": Decimal("0.00"),
    }
    assert totals.gross == Decimal("2465.50")
    assert totals.salvage == Decimal("80.00")
    assert totals.total == Decimal("2385.50")


def test_sheet_totals_round_each_line_before_adding_them_up():
    # Two lines of 0.005 each: 0.01 + 0.01, not round(0.010) = 0.01.
    half_fen = Line("materials", Decimal("0.5"), Decimal("0.01"))
    assert sheet_totals([half_fen, half_fen]).total == Decimal("0.02")


def test_the_totals_of_an_empty_sheet_are_zero_for_every_kind():
    totals = sheet_totals([])
    assert set(totals.by_kind) == set(KINDS)
    assert all(value == 0 for value in totals.by_kind.values())
    assert totals.gross == totals.salvage == totals.total == Decimal("0.00")


money = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2, allow_nan=False
)
quantities = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2, allow_nan=False
)


@st.composite
def lines(draw) -> Line:
    kind = draw(st.sampled_from(KINDS))
    quantity, unit_price = draw(quantities), draw(money)
    amount_fen = int(line_amount(Line(kind, quantity, unit_price)) / FEN)
    salvage_fen = draw(st.integers(min_value=0, max_value=amount_fen)) if kind == "replace" else 0
    return Line(kind, quantity, unit_price, salvage_fen * FEN)


# A busy worker (pytest -n, the browser tests) can stall one example for seconds: neither
# the 200 ms deadline nor the slow-generation check says anything about the arithmetic.
LOADED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LOADED
@given(st.lists(lines(), max_size=40))
def test_the_total_is_the_sum_of_the_line_amounts_less_the_salvage(sheet):
    totals = sheet_totals(sheet)
    amounts = [line_amount(line) for line in sheet]
    salvage = sum((line.salvage_value for line in sheet), Decimal("0"))
    assert totals.total == sum(amounts, Decimal("0")) - salvage
    assert totals.gross == sum(totals.by_kind.values(), Decimal("0"))
    assert totals.salvage == salvage
    for kind in KINDS:
        pairs = zip(amounts, sheet, strict=True)
        expected = sum((amount for amount, line in pairs if line.kind == kind), Decimal("0"))
        assert totals.by_kind[kind] == expected


@LOADED
@given(st.lists(lines(), max_size=40))
def test_the_total_is_never_negative_when_salvage_stays_within_the_amounts(sheet):
    totals = sheet_totals(sheet)
    assert totals.total >= 0
    assert totals.total == totals.total.quantize(FEN)
    assert all(value == value.quantize(FEN) for value in totals.by_kind.values())
