"""Commissions in the demo: HQ finance's commission rules for the four roles, and last
month's commissions of the branch with the most fees in it, run by HQ finance and approved
by that branch's manager (佣金审批), so the month is locked (docs/billing.md)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count

from lossdesk.billing.commissions import (
    do_approve_commission_run,
    do_create_commission_rule,
    do_run_commissions,
    month_window,
)
from lossdesk.claims.choices import EventType
from lossdesk.claims.models import CaseEvent
from lossdesk.demo.billing import CONTRACTS_FROM_DAYS, HQ
from lossdesk.org.models import Branch

RULES = {
    "surveyor": (
        {
            "rate": "0.10",
            "per_unit": "20.00",
            # The month's KPI score (考核指标) scales the line: below 60 × 0.9, from 85 × 1.1.
            "score_multipliers": [
                {"from_score": "0", "multiplier": "0.90"},
                {"from_score": "60", "multiplier": "1.00"},
                {"from_score": "85", "multiplier": "1.10"},
            ],
        },
        "查勘：公估费 10% 加每次查勘 20 元，按当月考核得分乘系数",
    ),
    "assessor": ({"rate": "0.08", "per_unit": "5.00"}, "定损：公估费 8% 加每个标的 5 元"),
    "reviewer": ({"rate": "0.03", "per_case": "10.00"}, "审核：公估费 3% 加每案 10 元"),
    "dispatcher": ({"per_unit": "3.00"}, "调度：每次调度 3 元"),
}


def build_commissions(builder) -> None:
    """After the cases ran (their fees computed): the rules, then last month's run of the
    busiest branch, approved."""
    finance = builder.people[(HQ, "finance")][0]
    start = builder.now.date() - timedelta(days=CONTRACTS_FROM_DAYS)
    for role, (terms, note) in RULES.items():
        do_create_commission_rule(
            role=role, effective_from=start, terms=terms, note=note, actor=finance
        )
    month = (builder.now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    month_start, month_end = month_window(month)
    busiest = (
        CaseEvent.objects.filter(
            type=EventType.FEE_COMPUTED, created_at__gte=month_start, created_at__lt=month_end
        )
        .values("case__branch")
        .annotate(n=Count("id"))
        .order_by("-n", "case__branch")
        .first()
    )
    if busiest is None:
        return  # a demo too small to have issued a report last month
    branch = Branch.objects.get(pk=busiest["case__branch"])
    run = do_run_commissions(branch=branch, month=month, actor=finance)
    do_approve_commission_run(run, actor=builder.people[(branch.code, "branch_manager")][0])
    builder.progress(
        f"月度佣金：{branch} {month:%Y-%m}，{run.case_count} 案、{run.sheets.count()} 人，"
        f"合计 {run.total} 元，已由机构负责人审批锁定。"
    )
