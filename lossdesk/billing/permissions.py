"""Who may see and make fee contracts and case fees; registered with org's table of positions
from BillingConfig.ready() (org.permissions). Making a contract also needs a data scope
covering the head office (services.may_write_fee_contracts): the terms bind every branch. A
case's fee is seen and adjusted within the case's scope (Case.objects.for_user)."""

VIEW_FEE_CONTRACT = "billing.view_feecontract"
ADD_FEE_CONTRACT = "billing.add_feecontract"
VIEW_CASE_FEE = "billing.view_casefee"
REQUEST_ADJUSTMENT = "billing.add_feeadjustment"
DECIDE_ADJUSTMENT = "billing.decide_feeadjustment"
# Statements, payments and reconciliations are seen and made within the user's data scope.
VIEW_STATEMENT = "billing.view_statement"
ADD_STATEMENT = "billing.add_statement"
CHANGE_STATEMENT = "billing.change_statement"
VIEW_PAYMENT = "billing.view_payment"
ADD_PAYMENT = "billing.add_payment"
VIEW_RECONCILIATION = "billing.view_reconciliation"
ADD_RECONCILIATION = "billing.add_reconciliation"
VIEW_SHEET_MAPPING = "billing.view_clientsheetmapping"
CHANGE_SHEET_MAPPING = "billing.change_clientsheetmapping"
RECEIVABLES = [VIEW_STATEMENT, VIEW_PAYMENT, VIEW_RECONCILIATION, VIEW_SHEET_MAPPING]
# Commissions: HQ finance writes the rules (commissions.may_write_commission_rules), finance
# runs a month, the branch manager approves it; runs are seen within the data scope.
VIEW_COMMISSION_RULE = "billing.view_commissionrule"
ADD_COMMISSION_RULE = "billing.add_commissionrule"
VIEW_COMMISSION_RUN = "billing.view_commissionrun"
ADD_COMMISSION_RUN = "billing.add_commissionrun"
APPROVE_COMMISSION_RUN = "billing.approve_commissionrun"

BILLING_PERMISSIONS: dict[str, list[str]] = {
    "finance": [
        VIEW_FEE_CONTRACT,
        ADD_FEE_CONTRACT,
        VIEW_CASE_FEE,
        REQUEST_ADJUSTMENT,
        *RECEIVABLES,
        ADD_STATEMENT,
        CHANGE_STATEMENT,
        ADD_PAYMENT,
        ADD_RECONCILIATION,
        CHANGE_SHEET_MAPPING,
        VIEW_COMMISSION_RULE,
        ADD_COMMISSION_RULE,
        VIEW_COMMISSION_RUN,
        ADD_COMMISSION_RUN,
    ],
    "branch_manager": [
        VIEW_FEE_CONTRACT,
        VIEW_CASE_FEE,
        DECIDE_ADJUSTMENT,
        *RECEIVABLES,
        VIEW_COMMISSION_RULE,
        VIEW_COMMISSION_RUN,
        APPROVE_COMMISSION_RUN,
    ],
}
# The system administrator keeps the clients (org) and, with them, their fee contracts.
BILLING_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [VIEW_FEE_CONTRACT, ADD_FEE_CONTRACT],
}
