"""Reconciliation (财务对账): our fee per claim number against the client's, to the fen.

Every claim number in either set lands in exactly one category: on both sides with the same
amount (matched), on both sides with different amounts (amount differs, both figures kept),
only on ours, only on theirs. No Django: the billing app reads the sheet and stores lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    matched = "matched"
    amount_differs = "amount_differs"
    only_ours = "only_ours"
    only_theirs = "only_theirs"


@dataclass(frozen=True)
class Match:
    claim_no: str
    category: Category
    ours: Decimal | None
    theirs: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        """Theirs minus ours when both are there."""
        if self.ours is None or self.theirs is None:
            return None
        return self.theirs - self.ours


def claim_key(claim_no: str) -> str:
    """How claim numbers compare: spaces around and letter case aside."""
    return str(claim_no).strip().upper()


def match(ours: Mapping[str, Decimal], theirs: Mapping[str, Decimal]) -> list[Match]:
    """One Match per claim number (by `claim_key`), ours in their order, then the ones only
    theirs in theirs. Amounts compare to the fen (both are quantized before)."""
    fen = Decimal("0.01")
    their_by_key = {claim_key(k): (k, v.quantize(fen)) for k, v in theirs.items()}
    results: list[Match] = []
    seen: set[str] = set()
    for claim_no, amount in ours.items():
        key = claim_key(claim_no)
        seen.add(key)
        amount = amount.quantize(fen)
        if key not in their_by_key:
            results.append(Match(claim_no, Category.only_ours, amount, None))
            continue
        their = their_by_key[key][1]
        category = Category.matched if their == amount else Category.amount_differs
        results.append(Match(claim_no, category, amount, their))
    for key, (claim_no, amount) in their_by_key.items():
        if key not in seen:
            results.append(Match(claim_no, Category.only_theirs, None, amount))
    return results
