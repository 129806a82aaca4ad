from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.ctpl import (
    CTPL_LIMIT_TABLES,
    CtplInput,
    CtplResult,
    ItemLimits,
    Loss,
    LossKind,
    Vehicle,
    apportion,
    limits_for,
    proxy_limit,
)
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.money import split_by_weights, to_fen

OLD = date(2019, 6, 1)
NEW = date(2024, 6, 1)


def amounts(result: CtplResult) -> dict[tuple[str, str, str], Decimal]:
    return {(p.payer, p.victim, p.kind.value): p.amount for p in result.payments}


# --- TV-1 limits -------------------------------------------------------------------------


def limits(*figures: str) -> ItemLimits:
    return ItemLimits(*(Decimal(f) for f in figures))


def test_tv1_accidents_from_2020_09_19_use_the_new_limits() -> None:
    table = limits_for(date(2020, 9, 19))
    assert table.at_fault == limits("180000", "18000", "2000")
    assert table.not_at_fault == limits("18000", "1800", "100")


def test_tv1_accidents_before_2020_09_19_use_the_old_limits() -> None:
    table = limits_for(datetime(2020, 9, 18, 23, 59))
    assert table.at_fault == limits("110000", "10000", "2000")
    assert table.not_at_fault == limits("11000", "1000", "100")


def test_an_accident_before_any_limit_table_is_an_input_error() -> None:
    with pytest.raises(RuleInputError) as caught:
        limits_for(date(2008, 1, 31))
    assert caught.value.field == "accident_date"


# --- TV-2 three cars, property -----------------------------------------------------------


def tv2(no_fault_proxy: bool = False) -> CtplResult:
    return apportion(
        CtplInput(
            accident_date=OLD,
            vehicles=[Vehicle("A", True), Vehicle("B", False), Vehicle("C", False)],
            losses=[
                Loss("A", LossKind.property, "3000"),
                Loss("B", LossKind.property, "1200"),
                Loss("C", LossKind.property, "1000"),
            ],
            no_fault_proxy=no_fault_proxy,
        )
    )


def test_tv2_first_pass_shares_each_car_by_the_other_cars_limits() -> None:
    first = {(p.payer, p.victim): p.amount for p in tv2().first_pass}
    assert first == {
        ("A", "B"): Decimal("1142.86"),
        ("C", "B"): Decimal("57.14"),
        ("A", "C"): Decimal("952.38"),
        ("B", "C"): Decimal("47.62"),
        ("B", "A"): Decimal("1500.00"),
        ("C", "A"): Decimal("1500.00"),
    }


def test_tv2_each_payer_is_capped_at_its_property_limit_to_the_fen() -> None:
    result = tv2()
    assert amounts(result) == {
        ("A", "B", "property"): Decimal("1090.91"),
        ("A", "C", "property"): Decimal("909.09"),
        ("B", "A", "property"): Decimal("96.92"),
        ("B", "C", "property"): Decimal("3.08"),
        ("C", "A", "property"): Decimal("96.33"),
        ("C", "B", "property"): Decimal("3.67"),
    }
    assert result.totals == {"A": Decimal("2000"), "B": Decimal("100"), "C": Decimal("100")}
    assert result.proxy_payments == []


def test_tv2_what_ctpl_does_not_pay_is_reported_as_a_shortfall() -> None:
    shortfall = {s.victim: s.unpaid for s in tv2().shortfalls}
    assert shortfall == {
        "A": Decimal("2806.75"),
        "B": Decimal("105.42"),
        "C": Decimal("87.83"),
    }


# --- TV-3 a pedestrian's medical costs ---------------------------------------------------


def tv3(accident_date: date, vehicles: list[Vehicle]) -> dict[str, Decimal]:
    result = apportion(CtplInput(accident_date, vehicles, [Loss("行人", "medical", "4500")]))
    return {p.payer: p.amount for p in result.payments}


def test_tv3_the_pedestrian_is_shared_by_all_cars_and_the_smallest_share_balances() -> None:
    vehicles = [Vehicle("A", True), Vehicle("B", True), Vehicle("C", False)]
    expected = {"A": Decimal("2142.86"), "B": Decimal("2142.86"), "C": Decimal("214.28")}
    assert tv3(OLD, vehicles) == expected
    assert tv3(NEW, vehicles) == expected


def test_tv3_balancing_does_not_depend_on_vehicle_names_or_order() -> None:
    vehicles = [Vehicle("Z", True), Vehicle("A", False), Vehicle("M", True)]
    assert tv3(OLD, vehicles) == {
        "Z": Decimal("2142.86"),
        "M": Decimal("2142.86"),
        "A": Decimal("214.28"),
    }


# --- TV-6 no-fault proxy -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("at_fault", "not_at_fault", "limit"),
    [(1, 1, "100"), (1, 3, "300"), (2, 1, "50"), (2, 3, "150")],
)
def test_tv6_the_proxy_limit_is_n_times_100_over_m(
    at_fault: int, not_at_fault: int, limit: str
) -> None:
    assert proxy_limit(at_fault, not_at_fault, limits_for(NEW)) == Decimal(limit)


def test_the_proxy_limit_needs_at_least_one_vehicle_on_each_side() -> None:
    with pytest.raises(RuleInputError) as caught:
        proxy_limit(0, 1, limits_for(NEW))
    assert caught.value.field == "m"


def test_with_the_proxy_the_at_fault_insurer_pays_its_own_car_within_the_proxy_limit() -> None:
    result = tv2(no_fault_proxy=True)
    assert amounts(result) == {
        ("A", "B", "property"): Decimal("1090.91"),
        ("A", "C", "property"): Decimal("909.09"),
    }
    [proxy] = result.proxy_payments
    assert (proxy.payer, proxy.victim, proxy.amount) == ("A", "A", Decimal("200.00"))
    assert result.totals == {"A": Decimal("2200.00"), "B": 0, "C": 0}


def test_with_the_proxy_several_at_fault_cars_split_the_proxy_limit() -> None:
    result = apportion(
        CtplInput(
            NEW,
            [Vehicle("A", True), Vehicle("B", True), Vehicle("C", False)],
            [Loss("A", "property", "3000"), Loss("B", "property", "500")],
            no_fault_proxy=True,
        )
    )
    proxies = {p.payer: p.amount for p in result.proxy_payments}
    assert proxies == {"A": Decimal("50.00"), "B": Decimal("23.81")}  # C's share of B: 23.81
    assert all(p.payer != "C" for p in result.payments)


def test_the_proxy_never_covers_injuries() -> None:
    result = apportion(
        CtplInput(
            NEW,
            [Vehicle("A", True), Vehicle("B", False)],
            [Loss("A", "medical", "1000")],
            no_fault_proxy=True,
        )
    )
    assert amounts(result) == {("B", "A", "medical"): Decimal("1000.00")}
    assert result.proxy_payments == []


def test_the_proxy_is_not_applied_when_every_car_is_at_fault() -> None:
    result = apportion(
        CtplInput(
            NEW,
            [Vehicle("A", True), Vehicle("B", True)],
            [Loss("A", "property", "1000")],
            no_fault_proxy=True,
        )
    )
    assert amounts(result) == {("B", "A", "property"): Decimal("1000.00")}
    assert any("不适用" in line for line in result.explanation)


# --- who pays whom -----------------------------------------------------------------------


def test_a_vehicle_never_pays_for_its_own_damage() -> None:
    result = apportion(CtplInput(NEW, [Vehicle("A", True)], [Loss("A", "property", "5000")]))
    assert result.payments == []
    [shortfall] = result.shortfalls
    assert shortfall.unpaid == Decimal("5000")


def test_an_occupant_is_not_paid_by_the_ctpl_of_the_vehicle_they_rode_in() -> None:
    result = apportion(
        CtplInput(
            NEW,
            [Vehicle("A", True), Vehicle("B", False)],
            [Loss("B车乘客", "medical", "900", vehicle_id="B")],
        )
    )
    assert amounts(result) == {("A", "B车乘客", "medical"): Decimal("900.00")}


def test_several_entries_for_one_victim_and_kind_are_added_together() -> None:
    result = apportion(
        CtplInput(
            NEW,
            [Vehicle("A", True), Vehicle("B", True)],
            [Loss("行人", "medical", "300"), Loss("行人", "medical", "700")],
        )
    )
    assert amounts(result) == {
        ("A", "行人", "medical"): Decimal("500.00"),
        ("B", "行人", "medical"): Decimal("500.00"),
    }


def test_several_victims_of_one_payer_are_scaled_to_its_limit_pro_rata() -> None:
    result = apportion(
        CtplInput(
            NEW,
            [Vehicle("A", True)],
            [Loss("甲", "medical", "20000"), Loss("乙", "medical", "10000")],
        )
    )
    assert amounts(result) == {
        ("A", "甲", "medical"): Decimal("12000.00"),
        ("A", "乙", "medical"): Decimal("6000.00"),
    }


# --- 互碰自赔 -----------------------------------------------------------------------------


def mutual(vehicles: list[Vehicle], losses: list[Loss]) -> tuple[bool, list[str]]:
    check = apportion(CtplInput(NEW, vehicles, losses)).mutual_self_settlement
    return check.applies, check.reasons


def test_mutual_self_settlement_applies_to_small_car_only_damage_with_fault_on_all_sides() -> None:
    applies, reasons = mutual(
        [Vehicle("A", True), Vehicle("B", True)],
        [Loss("A", "property", "1500"), Loss("B", "property", "2000")],
    )
    assert applies and reasons == []


@pytest.mark.parametrize(
    ("vehicles", "losses", "reason"),
    [
        ([Vehicle("A", True), Vehicle("B", False)], [Loss("A", "property", "100")], "B 无责"),
        (
            [Vehicle("A", True), Vehicle("B", True)],
            [Loss("A", "property", "2000.01")],
            "超过有责财产限额",
        ),
        ([Vehicle("A", True), Vehicle("B", True)], [Loss("A", "medical", "10")], "人伤"),
        ([Vehicle("A", True), Vehicle("B", True)], [Loss("护栏", "property", "10")], "车辆以外"),
        ([Vehicle("A", True)], [Loss("A", "property", "10")], "两辆"),
    ],
)
def test_mutual_self_settlement_explains_each_failing_condition(
    vehicles: list[Vehicle], losses: list[Loss], reason: str
) -> None:
    applies, reasons = mutual(vehicles, losses)
    assert not applies
    assert any(reason in r for r in reasons)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vehicles", "losses", "field"),
    [
        ([], [], "vehicles"),
        ([Vehicle("A", True), Vehicle("A", False)], [], "vehicles.1.id"),
        ([Vehicle("", True)], [], "vehicles.0.id"),
        ([Vehicle("A", "yes")], [], "vehicles.0.at_fault"),  # type: ignore[arg-type]
        ([Vehicle("A", True)], [Loss("A", "property", "-1")], "losses.0.amount"),
        ([Vehicle("A", True)], [Loss("A", "property", 1.5)], "losses.0.amount"),  # type: ignore[arg-type]
        (
            [Vehicle("A", True)],
            [Loss("A", "property", "1"), Loss("x", "pain", "1")],
            "losses.1.kind",
        ),
        ([Vehicle("A", True)], [Loss("p", "medical", "1", vehicle_id="Q")], "losses.0.vehicle_id"),
        ([Vehicle("A", True)], [Loss("", "medical", "1")], "losses.0.victim"),
    ],
)
def test_bad_input_names_its_field(vehicles: list[Vehicle], losses: list[Loss], field: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        apportion(CtplInput(NEW, vehicles, losses))
    assert caught.value.field == field


# --- properties --------------------------------------------------------------------------

VEHICLE_IDS = ["A", "B", "C", "D"]
OTHER_VICTIMS = ["行人甲", "行人乙", "护栏"]
money = st.decimals(min_value=0, max_value=300_000, places=2)


@st.composite
def ctpl_inputs(draw: st.DrawFn) -> CtplInput:
    ids = draw(st.lists(st.sampled_from(VEHICLE_IDS), min_size=1, max_size=4, unique=True))
    vehicles = [Vehicle(v, draw(st.booleans())) for v in ids]
    losses = draw(
        st.lists(
            st.builds(
                Loss,
                victim=st.sampled_from(ids + OTHER_VICTIMS),
                kind=st.sampled_from(list(LossKind)),
                amount=money,
            ),
            max_size=8,
        )
    )
    day = draw(st.sampled_from([OLD, NEW]))
    return CtplInput(day, vehicles, losses, no_fault_proxy=draw(st.booleans()))


@given(ctpl_inputs())
def test_each_payers_shares_add_up_to_its_capped_total(data: CtplInput) -> None:
    result = apportion(data)
    fault = {v.id: v.at_fault for v in data.vehicles}
    first: dict[tuple[str, LossKind], Decimal] = defaultdict(Decimal)
    final: dict[tuple[str, LossKind], Decimal] = defaultdict(Decimal)
    for p in result.first_pass:
        first[(p.payer, p.kind)] += p.amount
    for p in result.payments:
        final[(p.payer, p.kind)] += p.amount
    for (payer, kind), total in first.items():
        limit = result.limits_used.for_vehicle(fault[payer], kind)
        assert final[(payer, kind)] == min(total, limit)


@given(ctpl_inputs())
def test_no_payer_exceeds_its_limit_for_any_kind(data: CtplInput) -> None:
    result = apportion(data)
    fault = {v.id: v.at_fault for v in data.vehicles}
    paid: dict[tuple[str, LossKind], Decimal] = defaultdict(Decimal)
    for p in result.payments:
        assert p.amount > 0
        paid[(p.payer, p.kind)] += p.amount
    for (payer, kind), total in paid.items():
        assert total <= result.limits_used.for_vehicle(fault[payer], kind)
    proxy_cap = Decimal(100) * len(data.vehicles)
    assert all(0 < p.amount <= proxy_cap for p in result.proxy_payments)


@given(ctpl_inputs())
def test_first_pass_shares_add_up_to_each_victims_loss_when_other_vehicles_exist(
    data: CtplInput,
) -> None:
    if data.no_fault_proxy:
        return  # proxied shares are paid separately
    result = apportion(data)
    loss: dict[tuple[str, LossKind], Decimal] = defaultdict(Decimal)
    for item in data.losses:
        loss[(item.victim, LossKind(item.kind))] += Decimal(item.amount)
    shared: dict[tuple[str, LossKind], Decimal] = defaultdict(Decimal)
    for p in result.first_pass:
        shared[(p.victim, p.kind)] += p.amount
    ids = {v.id for v in data.vehicles}
    for (victim, kind), amount in loss.items():
        if ids - {victim}:
            assert shared[(victim, kind)] == to_fen(amount)


@given(ctpl_inputs(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_vehicles_and_losses_are_listed(
    data: CtplInput, rng: object
) -> None:
    vehicles = list(data.vehicles)
    losses = list(data.losses)
    rng.shuffle(vehicles)  # type: ignore[attr-defined]
    rng.shuffle(losses)  # type: ignore[attr-defined]
    shuffled = CtplInput(data.accident_date, vehicles, losses, data.no_fault_proxy)
    a, b = apportion(data), apportion(shuffled)
    assert a.payments == b.payments
    assert a.first_pass == b.first_pass
    assert a.proxy_payments == b.proxy_payments
    assert a.totals == b.totals
    assert a.shortfalls == b.shortfalls
    assert a.mutual_self_settlement.applies == b.mutual_self_settlement.applies


# --- split_by_weights --------------------------------------------------------------------


def test_split_by_weights_lets_the_last_share_take_the_rounding_difference() -> None:
    assert split_by_weights("4500", [10000, 10000, 1000]) == [
        Decimal("2142.86"),
        Decimal("2142.86"),
        Decimal("214.28"),
    ]
    assert split_by_weights(100, [1, 1, 1]) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]


def test_split_by_weights_gives_zero_weights_nothing() -> None:
    # 0.005 rounds up to 0.01 for A; B, the last weighted share, balances to 0.00.
    assert split_by_weights("0.01", [1, 1, 0]) == [Decimal("0.01"), Decimal("0.00"), Decimal("0")]


def test_split_by_weights_never_lets_the_balancing_share_go_negative() -> None:
    # 0.005 rounds up to 0.01 five times; the deficit is taken back from the end.
    assert split_by_weights("0.03", [1] * 6) == [Decimal("0.01")] * 3 + [Decimal("0.00")] * 3


def test_split_by_weights_rejects_an_all_zero_weighting_of_a_positive_total() -> None:
    with pytest.raises(RuleInputError) as caught:
        split_by_weights(10, [0, 0])
    assert caught.value.field == "weights"


@given(
    total=st.decimals(min_value=0, max_value=10_000_000, places=3),
    weights=st.lists(
        st.decimals(min_value=0, max_value=1_000_000, places=2), min_size=1, max_size=12
    ).filter(lambda ws: sum(ws) > 0),
)
def test_split_by_weights_sums_exactly_and_never_goes_negative(
    total: Decimal, weights: list[Decimal]
) -> None:
    shares = split_by_weights(total, weights)
    assert sum(shares) == to_fen(total)
    assert all(s >= 0 for s in shares)
    assert all(s == 0 for s, w in zip(shares, weights, strict=True) if w == 0)


def test_the_seeded_limit_tables_are_ordered_by_effective_date() -> None:
    dates = [t.effective_from for t in CTPL_LIMIT_TABLES]
    assert dates == sorted(dates) == [date(2008, 2, 1), date(2020, 9, 19)]
