"""Receivables in the demo: 人保财险's statement of the last month, sent; a payment allocated
to its first cases; the insurer's sheet reconciled, with one fee short and one unknown claim."""

from decimal import Decimal

from lossdesk.billing.choices import StatementStatus
from lossdesk.billing.models import Payment, Statement
from lossdesk.demo import billing as billing_demo
from lossdesk.demo.tests.test_seed_demo import demo_db, seeded  # noqa: F401 (the shared seed)


def test_the_demo_has_a_sent_statement_a_partial_payment_and_a_mismatch(demo_db):  # noqa: F811
    statement = Statement.objects.get()  # 人保财险's, or in this small demo any billed client's
    assert statement.status == StatementStatus.SENT
    assert statement.lines.count() > 0
    payment = Payment.objects.get(client=statement.client)
    allocated = sum(a.amount for a in payment.allocations.all())
    assert allocated == payment.amount < statement.total_fee
    reconciliation = statement.reconciliations.get()
    categories = list(reconciliation.lines.values_list("category", "ours", "theirs"))
    [differs] = [c for c in categories if c[0] == "amount_differs"]
    assert differs[1] - differs[2] == billing_demo.SHEET_SHORT_BY
    unknown = reconciliation.lines.get(client_claim_no=billing_demo.SHEET_UNKNOWN_CLAIM)
    assert (unknown.category, unknown.case, unknown.theirs) == (
        "only_theirs",
        None,
        Decimal("380.00"),
    )
    assert reconciliation.theirs_total - reconciliation.ours_total == Decimal("330.00")
