"""Who may see and make fee contracts; registered with org's table of positions from
BillingConfig.ready() (org.permissions). Making one also needs a data scope covering the head
office (services.may_write_fee_contracts): the terms bind every branch."""

VIEW_FEE_CONTRACT = "billing.view_feecontract"
ADD_FEE_CONTRACT = "billing.add_feecontract"

BILLING_PERMISSIONS: dict[str, list[str]] = {
    "finance": [VIEW_FEE_CONTRACT, ADD_FEE_CONTRACT],
    "branch_manager": [VIEW_FEE_CONTRACT],
}
# The system administrator keeps the clients (org) and, with them, their fee contracts.
BILLING_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [VIEW_FEE_CONTRACT, ADD_FEE_CONTRACT],
}
