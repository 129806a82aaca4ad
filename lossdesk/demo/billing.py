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
from decimal import Decimal

from lossdesk.billing.models import StatementLine
from lossdesk.billing.reconciliations import do_reconcile_statement
from lossdesk.billing.services import do_create_fee_contract
from lossdesk.billing.statements import (
    billable_fees,
    do_allocate_payment,
    do_change_statement_status,
    do_create_statement,
    do_record_payment,
)
from lossdesk.demo.firm import HQ_CODE as HQ

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
# The survey's extras on every motor contract: a night or holiday arrival, a rescue
# coordinated, a re-survey (docs/billing.md).
MOTOR_EXTRAS = {"night_surcharge": "100.00", "rescue_fee": "150.00", "resurvey_fee": "80.00"}
# The contracts start before the demo's oldest report; the second version a month ago.
CONTRACTS_FROM_DAYS = 400
SECOND_VERSION_DAYS = 30


def motor_terms(rate: str, minimum: str, maximum: str) -> dict:
    return {
        "mode": "percentage",
        "rate": rate,
        "minimum": minimum,
        "maximum": maximum,
        **MOTOR_EXTRAS,
        "cancellation_fee": CANCELLATION_FEE,
    }


# The receivables: 人保财险's statement for the last month, sent; a payment covering part of it;
# its settlement sheet with one fee short by 50.00 and one claim number not of ours.
STATEMENT_CLIENT = "picc"
STATEMENT_DAYS = 30
PAID_CASES = 3
SHEET_SHORT_BY = Decimal("50.00")
SHEET_UNKNOWN_CLAIM = "RDAA2026330100009999"


class BillingDemo:
    """A part of DemoBuilder: the fee contracts of every demo client, and 人保财险's
    statement, partial payment and reconciliation."""

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

    def _build_receivables(self) -> None:
        """After the cases ran: a statement of 人保财险's cases billed in the last 30 days,
        sent; a payment covering the first cases' fees (the last only half), allocated; the
        insurer's settlement sheet (one fee 50.00 short, one claim number unknown) reconciled
        with it."""
        finance = self.people[(HQ, "finance")][0]
        today = self.now.date()
        start = today - timedelta(days=STATEMENT_DAYS)
        # 人保财险 when it earned fees in the period; in a small demo, whichever client did.
        clients = sorted(self.clients.values(), key=lambda c: c.code != STATEMENT_CLIENT)
        client = next(
            (
                client
                for client in clients
                if billable_fees(
                    finance, client=client, client_branch=None, period_start=start, period_end=today
                )
                .filter(fee_total__gt=0)
                .exists()
            ),
            None,
        )
        if client is None:
            return  # a demo too small to have earned a fee in the period
        statement = do_create_statement(
            client=client, period_start=start, period_end=today, actor=finance
        )
        do_change_statement_status(statement, action="send", actor=finance)
        lines = list(StatementLine.objects.filter(statement=statement).order_by("pk"))
        # The first cases' fees, the last of them only half: the statement is partly paid.
        paid = [line for line in lines if line.fee > 0][:PAID_CASES]
        amounts = [line.fee for line in paid]
        if amounts:
            amounts[-1] = (amounts[-1] / 2).quantize(Decimal("0.01"))
            payment = do_record_payment(
                client=client,
                paid_on=today,
                amount=sum(amounts, Decimal("0.00")),
                reference=f"{client.code.upper()}-HK-{today:%Y%m%d}",
                note="第一笔回款",
                actor=finance,
            )
            do_allocate_payment(
                payment,
                allocations=[
                    {"case_no": line.case.case_no, "amount": amount}
                    for line, amount in zip(paid, amounts, strict=True)
                ],
                actor=finance,
            )
        short = next((line for line in reversed(lines) if line.fee > SHEET_SHORT_BY), None)
        rows = ["赔案号,公估费"]
        for line in lines:
            fee = line.fee - SHEET_SHORT_BY if line is short else line.fee
            rows.append(f"{line.client_claim_no},{fee}")
        rows.append(f"{SHEET_UNKNOWN_CLAIM},380.00")
        do_reconcile_statement(
            statement,
            name=f"{client.short_name}结算清单.csv",
            data="\n".join(rows).encode("utf-8"),
            actor=finance,
        )
        self.progress(
            f"对账单 {statement.statement_no}（{len(lines)} 件，已发送）、回款 {len(paid)} 件、"
            "结算清单对账（一笔金额不符、一笔未知赔案号）。"
        )
