"""Commissions (issue 14 §5): rules per role, the monthly run of a branch from the case
events, its approval by the branch manager and the locked month; a past month re-run gives
the same figures to the fen."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from lossdesk.billing import commissions, services
from lossdesk.billing.choices import AdjustmentDecision, CommissionRunStatus
from lossdesk.billing.error_codes import BillingErrorCode
from lossdesk.billing.models import CommissionLine, CommissionRun
from lossdesk.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.core.scores import person_scores
from lossdesk.reports import kpis
from lossdesk.testing import Firm

pytestmark = pytest.mark.django_db

PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}
RULES = {
    "surveyor": {"rate": "0.10", "per_unit": "20.00"},
    "assessor": {"rate": "0.08", "per_unit": "5.00"},
    "reviewer": {"per_case": "15.00"},
    "dispatcher": {"per_unit": "3.00"},
}
MARCH = date(2026, 3, 1)


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_default_timezone())


def make_rules(firm, rules=RULES, effective_from=date(2020, 1, 1)):
    return [
        commissions.do_create_commission_rule(
            role=role, effective_from=effective_from, terms=terms, actor=firm.finance
        )
        for role, terms in rules.items()
    ]


@pytest.fixture
def march_case(firm):
    """A case of 杭州 issued on 2026-03-10 (fee 300.00): 赵六 dispatched, 张三 surveyed and
    assessed both vehicles, 李四 approved and issued."""
    services.do_create_fee_contract(
        client=firm.client,
        line="motor",
        effective_from=date(2020, 1, 1),
        terms=PERCENTAGE,
        actor=firm.finance,
    )
    make_rules(firm)
    with time_machine.travel(beijing(2026, 3, 10, 9), tick=False):
        return firm.issued_case()


def lines_of(run):
    return {
        (line.sheet.staff.username, line.role): (line.fee_basis, line.units, line.amount)
        for line in CommissionLine.objects.filter(sheet__run=run).select_related("sheet__staff")
    }


def test_a_month_gives_each_person_a_line_per_case_and_role(firm, march_case):
    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    fee = Decimal("300.00")
    assert lines_of(run) == {
        # 300 × 10% + 1 survey × 20
        ("zhangsan", "surveyor"): (fee, 1, Decimal("50.00")),
        # 300 × 8% + 2 loss items × 5
        ("zhangsan", "assessor"): (fee, 2, Decimal("34.00")),
        ("lisi", "reviewer"): (fee, 1, Decimal("15.00")),
        ("zhaoliu", "dispatcher"): (fee, 1, Decimal("3.00")),
    }
    assert (run.status, run.total, run.case_count) == (
        CommissionRunStatus.DRAFT,
        Decimal("102.00"),
        1,
    )
    sheets = {s.staff.username: (s.total, s.line_count) for s in run.sheets.all()}
    assert sheets == {
        "zhangsan": (Decimal("84.00"), 2),
        "lisi": (Decimal("15.00"), 1),
        "zhaoliu": (Decimal("3.00"), 1),
    }
    line = CommissionLine.objects.get(sheet__run=run, role="assessor")
    assert line.rule_version == 1 and line.terms == RULES["assessor"] | {"rate": "0.08"}
    assert line.explanation == [
        "定损员提成规则第 1 版",
        "定损提成",
        "按公估费比例：公估费 300.00 × 8% = 24.00",
        "按件：2 个标的 × 5.00 = 10.00",
        "佣金 = (24.00 + 10.00) = 34.00",
    ]


def test_the_fee_basis_counts_adjustments_approved_within_the_month(firm, march_case):
    with time_machine.travel(beijing(2026, 3, 20, 9), tick=False):
        adjustment = services.do_request_fee_adjustment(
            march_case, amount="100.00", reason="加急", actor=firm.finance
        )
        services.do_decide_fee_adjustment(
            adjustment, decision=AdjustmentDecision.APPROVE, actor=firm.zhoujiu
        )
    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    assert lines_of(run)[("zhangsan", "surveyor")] == (Decimal("400.00"), 1, Decimal("60.00"))


def test_a_past_month_re_run_gives_the_same_lines_to_the_fen(firm, march_case):
    first = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    before = commissions.stored_lines(first)
    assert len(before) == 4

    # Later data that must not matter: an adjustment approved in April, a new rule version
    # from April, an April case, 张三 moved to 宁波, a new contract version.
    with time_machine.travel(beijing(2026, 4, 2, 9), tick=False):
        adjustment = services.do_request_fee_adjustment(
            march_case, amount="-120.00", reason="委托方要求", actor=firm.finance
        )
        services.do_decide_fee_adjustment(
            adjustment, decision=AdjustmentDecision.APPROVE, actor=firm.zhoujiu
        )
        make_rules(firm, {"surveyor": {"rate": "0.50"}}, effective_from=date(2026, 4, 1))
        services.do_create_fee_contract(
            client=firm.client,
            line="motor",
            effective_from=date(2026, 1, 1),
            terms={"mode": "per_case", "amount": "999.00"},
            actor=firm.finance,
        )
        firm.issued_case(client_claim_no="PICC-APRIL")
    firm.zhangsan.branch = firm.ningbo
    firm.zhangsan.save()

    fresh = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    first.refresh_from_db()
    assert first.status == CommissionRunStatus.SUPERSEDED
    assert fresh.pk != first.pk
    assert commissions.stored_lines(fresh) == before
    assert (fresh.total, fresh.case_count) == (Decimal("102.00"), 1)

    commissions.do_approve_commission_run(fresh, actor=firm.zhoujiu)
    recomputed = [line.key() for line in commissions.month_lines(firm.hangzhou, MARCH)]
    assert recomputed == before


def test_the_branch_manager_approves_and_the_month_locks(firm, march_case):
    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    approved = commissions.do_approve_commission_run(run, actor=firm.zhoujiu)
    assert (approved.status, approved.approved_by) == (CommissionRunStatus.APPROVED, firm.zhoujiu)

    with pytest.raises(Conflict) as locked:
        commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    assert locked.value.code == BillingErrorCode.MONTH_LOCKED
    with pytest.raises(IllegalTransition) as again:
        commissions.do_approve_commission_run(run, actor=firm.zhoujiu)
    assert again.value.extra["current_state"] == CommissionRunStatus.APPROVED
    # A rule version taking effect inside the locked month is refused; after it, accepted.
    with pytest.raises(Conflict) as rule:
        make_rules(firm, {"reviewer": {"per_case": "1.00"}}, effective_from=date(2026, 3, 31))
    assert rule.value.code == BillingErrorCode.MONTH_LOCKED
    assert "effective_from" in rule.value.fields
    make_rules(firm, {"reviewer": {"per_case": "1.00"}}, effective_from=date(2026, 4, 1))
    assert CommissionRun.objects.get(pk=run.pk).total == Decimal("102.00")


def test_who_ran_the_month_cannot_approve_it(firm, march_case):
    firm.zhoujiu.position.permissions.add(
        Permission.objects.get(codename="add_commissionrun", content_type__app_label="billing")
    )
    manager = type(firm.zhoujiu).objects.get(pk=firm.zhoujiu.pk)  # fresh permission cache
    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=manager)
    with pytest.raises(SelfReview):
        commissions.do_approve_commission_run(run, actor=manager)


def test_another_branchs_manager_gets_not_found_and_finance_cannot_approve(firm, march_case):
    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    ningbo_manager = Firm.staff("nbmgr", "宁波负责人", "branch_manager", firm.ningbo)
    with pytest.raises(NotFound):
        commissions.do_approve_commission_run(run, actor=ningbo_manager)
    with pytest.raises(PermissionDenied):
        commissions.do_approve_commission_run(run, actor=firm.finance)
    with pytest.raises(NotFound):  # finance of 宁波 cannot run 杭州
        commissions.do_run_commissions(
            branch=firm.hangzhou,
            month=MARCH,
            actor=Firm.staff("nbfin", "宁波财务", "finance", firm.ningbo),
        )


def test_a_month_not_over_is_refused(firm):
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ServiceError) as exc:
        commissions.do_run_commissions(branch=firm.hangzhou, month=this_month, actor=firm.finance)
    assert list(exc.value.fields) == ["month"]


def test_a_role_without_a_rule_is_listed_at_zero(firm):
    services.do_create_fee_contract(
        client=firm.client,
        line="motor",
        effective_from=date(2020, 1, 1),
        terms=PERCENTAGE,
        actor=firm.finance,
    )
    with time_machine.travel(beijing(2026, 3, 10, 9), tick=False):
        firm.issued_case()
    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    line = CommissionLine.objects.filter(sheet__run=run).first()
    assert (line.rule, line.amount, line.explanation) == (
        None,
        Decimal("0.00"),
        ["无生效的提成规则，0.00"],
    )


def test_rules_are_written_by_hq_finance_with_their_terms_checked(firm):
    branch_finance = Firm.staff("hzfin", "杭州财务", "finance", firm.hangzhou)
    with pytest.raises(PermissionDenied):
        commissions.do_create_commission_rule(
            role="surveyor",
            effective_from=date(2026, 1, 1),
            terms={"rate": "0.1"},
            actor=branch_finance,
        )
    with pytest.raises(ServiceError) as exc:
        commissions.do_create_commission_rule(
            role="surveyor",
            effective_from=date(2026, 1, 1),
            terms={"rate": "2", "bonus": "1"},
            actor=firm.finance,
        )
    assert set(exc.value.fields) == {"terms.rate", "terms.bonus"}
    first = commissions.do_create_commission_rule(
        role="surveyor", effective_from=date(2026, 1, 1), terms={"rate": "0.1"}, actor=firm.finance
    )
    assert (first.version, first.terms) == (1, {"rate": "0.1"})
    with pytest.raises(Conflict):
        commissions.do_create_commission_rule(
            role="surveyor",
            effective_from=date(2026, 2, 1),
            terms={"rate": "0.2"},
            previous_version=0,
            actor=firm.finance,
        )


def test_a_rule_with_score_bands_scales_each_line_by_the_persons_kpi_score(firm, march_case):
    # The surveyor's rule turns the KPI score of the month (考核指标, against the targets the
    # migrations put in force from 2026-01) into 1.5 from 0 points and 2.0 from 100.
    bands = [{"from_score": "0", "multiplier": "1.5"}, {"from_score": "100", "multiplier": "2"}]
    surveyor = {**RULES["surveyor"], "score_multipliers": bands}
    make_rules(firm, {"surveyor": surveyor}, effective_from=date(2026, 1, 1))

    scores = person_scores(firm.hangzhou.pk, MARCH)
    table = kpis.compute(firm.zhoujiu, MARCH, "person")
    [row] = [row for row in table.rows if row.key == firm.zhangsan.pk]
    assert scores[firm.zhangsan.pk] == row.values["score"] is not None
    score = scores[firm.zhangsan.pk]

    run = commissions.do_run_commissions(branch=firm.hangzhou, month=MARCH, actor=firm.finance)
    line = CommissionLine.objects.get(sheet__run=run, role="surveyor")
    multiplier = Decimal("2") if score >= 100 else Decimal("1.5")
    assert (line.multiplier, line.amount) == (multiplier, Decimal("50.00") * multiplier)
    assert f"（考核得分 {score.normalize():f}）" in line.explanation[-1]
    # The other roles' rules have no bands: their lines stay at 1.
    assert lines_of(run)[("lisi", "reviewer")] == (Decimal("300.00"), 1, Decimal("15.00"))
