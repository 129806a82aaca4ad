"""Reconciliation by claim number, to the fen: every claim number on either side lands in
exactly one category, and the totals of each side add up across the categories."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.reconciliation import Category, claim_key, match

FEN = Decimal("0.01")
amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)
claims = st.text(alphabet="ABC0123", min_size=1, max_size=4)


def test_the_four_categories_with_both_figures():
    ours = {"A1": Decimal("600.00"), "A2": Decimal("300.00"), "A3": Decimal("150.00")}
    theirs = {"a1 ": Decimal("600.00"), "A2": Decimal("299.99"), "X9": Decimal("80.00")}
    result = {m.claim_no: (m.category, m.ours, m.theirs, m.difference) for m in match(ours, theirs)}
    assert result == {
        "A1": (Category.matched, Decimal("600.00"), Decimal("600.00"), Decimal("0.00")),
        "A2": (Category.amount_differs, Decimal("300.00"), Decimal("299.99"), Decimal("-0.01")),
        "A3": (Category.only_ours, Decimal("150.00"), None, None),
        "X9": (Category.only_theirs, None, Decimal("80.00"), None),
    }


@given(
    st.dictionaries(claims, amounts, max_size=12),
    st.dictionaries(claims, amounts, max_size=12),
    st.data(),
)
def test_every_claim_lands_in_exactly_one_category_and_totals_add_up(ours, theirs, data):
    # Theirs repeat some of ours, at our amount or a fen apart, so every category occurs.
    for claim_no in data.draw(st.lists(st.sampled_from(sorted(ours) or ["Z"]), max_size=6)):
        if claim_no in ours:
            theirs[claim_no] = ours[claim_no] + data.draw(st.sampled_from([0, FEN, -FEN]))
    # One claim number per key on each side (the sheet reader keeps the first of repeats).
    theirs = {claim_key(k): v for k, v in theirs.items()}
    ours = {claim_key(k): v for k, v in ours.items()}
    result = match(ours, theirs)
    keys = [claim_key(m.claim_no) for m in result]
    assert len(keys) == len(set(keys)) == len(set(ours) | set(theirs))
    for m in result:
        key = claim_key(m.claim_no)
        expected = (
            Category.only_theirs
            if key not in ours
            else Category.only_ours
            if key not in theirs
            else Category.matched
            if ours[key] == theirs[key]
            else Category.amount_differs
        )
        assert m.category == expected
    assert sum((m.ours for m in result if m.ours is not None), Decimal(0)) == sum(
        ours.values(), Decimal(0)
    )
    assert sum((m.theirs for m in result if m.theirs is not None), Decimal(0)) == sum(
        theirs.values(), Decimal(0)
    )
    differs = [m for m in result if m.category == Category.amount_differs]
    assert all(m.difference != 0 for m in differs)
