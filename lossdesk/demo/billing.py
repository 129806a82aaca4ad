"""Fee contracts (收费协议) in the demo: each insurer's terms for the three lines, made by the
head office's finance clerk through the billing service before any case is run, so every
adjusting report the demo issues (and every cancellation) gets its fee from billing's
listeners like in production (docs/billing.md).

Motor is a percentage of the approved amount with a minimum and a maximum, property a
progressive (超额累进) scale, injury a fixed fee per case plus a fee per km beyond a
threshold. 人保财险 changed its motor terms a month ago (a second version), so cases
reported before and after price on different versions. `BillingDemo` is a part of
DemoBuilder."""

from __future__ import annotations

from datetime import timedelta

from lossdesk.billing.services import do_create_fee_contract

HQ = "hq"  # builder.HQ_CODE (the builder imports this module)

# Motor: (rate, minimum, maximum) per insurer.
MOTOR = {
    "picc": ("0.030", "300.00", "5000.00"),
    "pingan": ("0.028", "260.00", "4500.00"),
    "cpic": ("0.030", "280.00", "5000.00"),
    "chinalife": ("0.025", "250.00", "4000.00"),
    "ccic": ("0.032", "300.00", "6000.00"),
}
# 人保财险's second motor version, in force for the last month.
MOTOR_V2 = {"picc": ("0.032", "320.00", "5200.00")}
PROPERTY_BRACKETS = [
    {"up_to": "10000.00", "rate": "0.05"},
    {"up_to": "50000.00", "rate": "0.035"},
    {"up_to": None, "rate": "0.02"},
]
INJURY = {"mode": "per_case", "amount": "600.00", "km_rate": "2.00", "km_threshold": "30"}
CANCELLATION_FEE = "150.00"
# The contracts start before the demo's oldest report; the second version a month ago.
CONTRACTS_FROM_DAYS = 400
SECOND_VERSION_DAYS = 30


def motor_terms(rate: str, minimum: str, maximum: str) -> dict:
    return {
        "mode": "percentage",
        "rate": rate,
        "minimum": minimum,
        "maximum": maximum,
        "cancellation_fee": CANCELLATION_FEE,
    }


class BillingDemo:
    """A part of DemoBuilder: the fee contracts of every demo client."""

    def _build_fee_contracts(self) -> None:
        finance = self.people[(HQ, "finance")][0]
        today = self.now.date()
        start = today - timedelta(days=CONTRACTS_FROM_DAYS)
        made = 0
        for code, client in self.clients.items():
            rate, minimum, maximum = MOTOR.get(code, MOTOR["picc"])
            terms = [
                ("motor", start, motor_terms(rate, minimum, maximum), f"{start.year} 年度车险协议"),
                (
                    "property",
                    start,
                    {"mode": "progressive", "brackets": PROPERTY_BRACKETS, "minimum": "200.00"},
                    "物损超额累进",
                ),
                ("injury", start, INJURY, "人伤按件，远程查勘超 30 公里每公里 2 元"),
            ]
            if code in MOTOR_V2:
                since = today - timedelta(days=SECOND_VERSION_DAYS)
                terms.append(("motor", since, motor_terms(*MOTOR_V2[code]), "费率上调"))
            for line, effective_from, body, note in terms:
                do_create_fee_contract(
                    client=client,
                    line=line,
                    effective_from=effective_from,
                    terms=body,
                    note=note,
                    actor=finance,
                )
                made += 1
        self.fee_contract_count = made
        self.progress(f"收费协议 {made} 份（{len(self.clients)} 家委托方，车险 / 物损 / 人伤）。")
