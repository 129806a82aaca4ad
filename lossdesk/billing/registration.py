"""What billing adds to every case (claims.registry): the 公估费 panel on the case page for
positions with the right to see fees, and the adjustment actions."""

from lossdesk.claims.registry import CaseContribution, register_case_contribution


def actions():
    from lossdesk.billing.actions import BILLING_ACTIONS

    return BILLING_ACTIONS


def page_context(request, case) -> dict:
    """The case's fee with its components and adjustments, for who may see fees; the case
    page selects `fee` with the case, so a case without one costs no query."""
    from lossdesk.billing.permissions import DECIDE_ADJUSTMENT, VIEW_CASE_FEE
    from lossdesk.billing.services import case_fee_for

    user = request.user
    if not user.has_perm(VIEW_CASE_FEE):
        return {}
    fee = case_fee_for(case, user) if getattr(case, "fee", None) is not None else None
    return {
        "fee_panel": True,
        "case_fee": fee,
        "may_decide_fee": user.has_perm(DECIDE_ADJUSTMENT),
    }


def register() -> None:
    register_case_contribution(
        CaseContribution(
            app="billing",
            page_context=page_context,
            page_templates={"side": ("billing/includes/case_fee.html",)},
            actions=actions,
            select_related=("fee",),
        )
    )
