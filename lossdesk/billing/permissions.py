"""Who may see and make fee contracts and case fees; registered with org's table of positions
from BillingConfig.ready() (org.permissions). Making a contract also needs a data scope
covering the head office (services.may_write_fee_contracts): the terms bind every branch. A
case's fee is seen and adjusted within the case's scope (Case.objects.for_user)."""

VIEW_FEE_CONTRACT = "billing.view_feecontract"
ADD_FEE_CONTRACT = "billing.add_feecontract"
VIEW_CASE_FEE = "billing.view_casefee"
REQUEST_ADJUSTMENT = "billing.add_feeadjustment"
DECIDE_ADJUSTMENT = "billing.decide_feeadjustment"

BILLING_PERMISSIONS: dict[str, list[str]] = {
    "finance": [VIEW_FEE_CONTRACT, ADD_FEE_CONTRACT, VIEW_CASE_FEE, REQUEST_ADJUSTMENT],
    "branch_manager": [VIEW_FEE_CONTRACT, VIEW_CASE_FEE, DECIDE_ADJUSTMENT],
}
# The system administrator keeps the clients (org) and, with them, their fee contracts.
BILLING_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [VIEW_FEE_CONTRACT, ADD_FEE_CONTRACT],
}
