"""Statements, payments and receivables ageing (issue 14 §3-4): the cases billed in a period
with their fees frozen, the status flow, a case on at most one live statement, payments
allocated within their amount and the cases' outstanding fees, the Excel a client's finance
desk checks."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from lossdesk.billing import services, statements
from lossdesk.billing.choices import StatementStatus
from lossdesk.billing.error_codes import BillingErrorCode
from lossdesk.billing.exports import statement_workbook
from lossdesk.billing.models import PaymentAllocation, Statement, StatementLine
from lossdesk.claims.models import AdjustingReport
from lossdesk.core.errors import ErrorCode, IllegalTransition, PermissionDenied, ServiceError
from lossdesk.org.models import Client

pytestmark = pytest.mark.django_db

PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}
# One vehicle line of 20,000.00: 3% is 600.00.
LINE_20000 = [{"kind": "repair", "name": "钣金修复", "quantity": "1", "unit_price": "10000.00"}]


@pytest.fixture
def billed(firm):
    """Two issued cases of the firm's client, fees 600.00 each (20,000.00 approved)."""
    services.do_create_fee_contract(
        client=firm.client,
        line="motor",
        effective_from=date(2020, 1, 1),
        terms=PERCENTAGE,
        actor=firm.finance,
    )
    return [firm.issued_case(lines=LINE_20000, client_claim_no=f"PICC-{n}") for n in (1, 2)]


def today():
    from django.utils import timezone

    return timezone.localdate()


def make_statement(firm, **kwargs):
    kwargs.setdefault("period_start", today() - timedelta(days=1))
    kwargs.setdefault("period_end", today())
    return statements.do_create_statement(client=firm.client, actor=firm.finance, **kwargs)


def test_a_statement_lists_the_cases_billed_in_the_period_with_their_fees(firm, billed):
    statement = make_statement(firm, note="12 月")
    lines = list(statement.lines.order_by("client_claim_no"))
    assert [line.case for line in lines] == billed
    assert [line.client_claim_no for line in lines] == ["PICC-1", "PICC-2"]
    assert [(line.approved_amount, line.fee) for line in lines] == [
        (Decimal("20000.00"), Decimal("600.00"))
    ] * 2
    assert lines[0].billing_date == today()
    assert lines[0].components == [{"code": "motor", "label": "车险", "amount": "600.00"}]
    assert (statement.total_approved, statement.total_fee) == (
        Decimal("40000.00"),
        Decimal("1200.00"),
    )
    assert statement.status == StatementStatus.DRAFT
    assert statement.statement_no.startswith("DZ")
    assert list(statement.events.values_list("status", flat=True)) == ["draft"]


def test_the_period_is_by_the_report_issue_date(firm, billed):
    AdjustingReport.objects.filter(case=billed[0]).update(
        issued_at=billed[0].adjusting_report.issued_at - timedelta(days=40)
    )
    statement = make_statement(firm)
    assert [line.case for line in statement.lines.all()] == [billed[1]]
    earlier = make_statement(
        firm, period_start=today() - timedelta(days=45), period_end=today() - timedelta(days=35)
    )
    assert [line.case for line in earlier.lines.all()] == [billed[0]]


def test_a_case_is_on_at_most_one_live_statement(firm, billed):
    first = make_statement(firm)
    with pytest.raises(ServiceError) as refused:
        make_statement(firm)
    assert refused.value.code == BillingErrorCode.NO_CASES_TO_BILL
    statements.do_change_statement_status(first, action="void", note="金额有误", actor=firm.finance)
    again = make_statement(firm)
    assert again.lines.count() == 2
    assert StatementLine.objects.filter(voided=False).count() == 2


def test_a_client_branch_statement_lists_only_its_cases(firm, billed):
    other = firm.client.branches.create(name="宁波分公司")
    with pytest.raises(ServiceError):
        make_statement(firm, client_branch=other)
    assert make_statement(firm, client_branch=firm.client_branch).lines.count() == 2
    stranger = Client.objects.create(code="cpic", name="太平洋财险", short_name="太保")
    with pytest.raises(ServiceError) as refused:
        make_statement(firm, client_branch=stranger.branches.create(name="上海分公司"))
    assert "client_branch" in refused.value.fields


def test_the_status_flow_and_a_confirmed_statement_never_changes(firm, billed):
    statement = make_statement(firm)
    change = statements.do_change_statement_status
    with pytest.raises(IllegalTransition):
        change(statement, action="confirm", actor=firm.finance)
    change(statement, action="send", actor=firm.finance)
    with pytest.raises(ServiceError) as refused:
        change(statement, action="dispute", actor=firm.finance)
    assert "note" in refused.value.fields
    change(statement, action="dispute", note="PICC-2 金额不符", actor=firm.finance)
    change(statement, action="confirm", actor=firm.finance)
    for action in ("send", "dispute", "void", "confirm"):
        with pytest.raises(IllegalTransition):
            change(statement, action=action, note="再改", actor=firm.finance)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.CONFIRMED
    assert list(statement.events.values_list("status", flat=True)) == [
        "draft",
        "sent",
        "disputed",
        "confirmed",
    ]


def test_who_may_make_and_change_statements(firm, billed):
    with pytest.raises(PermissionDenied):
        statements.do_create_statement(
            client=firm.client, period_start=today(), period_end=today(), actor=firm.zhangsan
        )
    statement = make_statement(firm)
    with pytest.raises(PermissionDenied):
        statements.do_change_statement_status(statement, action="send", actor=firm.zhoujiu)
    assert Statement.objects.for_user(firm.zhoujiu).count() == 0  # made at HQ, seen above
    assert Statement.objects.for_user(firm.zhangsan).count() == 0


def test_a_period_ending_before_it_starts_is_refused(firm, billed):
    with pytest.raises(ServiceError) as refused:
        make_statement(firm, period_start=today(), period_end=today() - timedelta(days=1))
    assert refused.value.fields == {"period_end": ["账期止不能早于账期起。"]}


def test_the_excel_statement_reads_back(firm, billed):
    statement = make_statement(firm)
    book = load_workbook(BytesIO(statement_workbook(statement)))
    sheet = book["对账单"]
    header = [c.value for c in sheet[6]]
    assert sheet["A1"].value == f"公估服务费对账单　{statement.statement_no}"
    assert sheet["A3"].value == f"委托方：{firm.client}"
    assert header[:7] == [
        "序号",
        "委托方赔案号",
        "案件号",
        "车牌号",
        "报案日期",
        "报告出具/注销日期",
        "核定金额",
    ]
    assert header[-1] == "公估费合计"
    first = [c.value for c in sheet[7]]
    assert first[1:4] == ["PICC-1", billed[0].case_no, "浙A12345"]
    assert first[6] == 20000 and first[-1] == 600
    assert sheet.cell(7, len(header)).number_format == "#,##0.00"
    totals = [c.value for c in sheet[9]]
    assert totals[0] == "合计" and totals[6] == 40000 and totals[-1] == 1200


# ------------------------------------------------------------------------------ payments


def payment(firm, amount="1000.00", reference="HK-001"):
    return statements.do_record_payment(
        client=firm.client, paid_on=today(), amount=amount, reference=reference, actor=firm.finance
    )


def test_a_payment_is_allocated_to_cases_within_its_amount_and_their_fees(firm, billed):
    paid = payment(firm)
    statements.do_allocate_payment(
        paid,
        allocations=[
            {"case_no": billed[0].case_no, "amount": "600.00"},
            {"case_no": billed[1].case_no, "amount": "250.00"},
        ],
        actor=firm.finance,
    )
    outstanding = {fee.case_id: fee.outstanding for fee in statements.billed_fees(firm.finance)}
    assert outstanding == {billed[0].pk: Decimal("0.00"), billed[1].pk: Decimal("350.00")}
    assert statements.allocated(paid) == Decimal("850.00")


def test_a_payment_allocated_beyond_its_amount_is_refused_and_saves_nothing(firm, billed):
    paid = payment(firm, amount="700.00")
    with pytest.raises(ServiceError) as refused:
        statements.do_allocate_payment(
            paid,
            allocations=[
                {"case_no": billed[0].case_no, "amount": "600.00"},
                {"case_no": billed[1].case_no, "amount": "100.01"},
            ],
            actor=firm.finance,
        )
    assert refused.value.code == BillingErrorCode.OVER_ALLOCATION
    assert list(refused.value.fields) == ["allocations.1.amount"]
    assert not PaymentAllocation.objects.exists()


def test_an_allocation_beyond_the_case_outstanding_is_refused(firm, billed):
    first, second = payment(firm), payment(firm, reference="HK-002")
    allocate = statements.do_allocate_payment
    allocate(
        first, allocations=[{"case_no": billed[0].case_no, "amount": "500"}], actor=firm.finance
    )
    with pytest.raises(ServiceError) as refused:
        allocate(
            second,
            allocations=[{"case_no": billed[0].case_no, "amount": "100.01"}],
            actor=firm.finance,
        )
    assert refused.value.code == BillingErrorCode.EXCEEDS_OUTSTANDING
    allocate(
        second, allocations=[{"case_no": billed[0].case_no, "amount": "100"}], actor=firm.finance
    )


@pytest.mark.parametrize(
    "allocation, field",
    [
        ({"case_no": "NOPE", "amount": "1"}, "allocations.0.case_no"),
        ({"case_no": None, "amount": "1"}, "allocations.0.case_no"),
        ({"amount": "-1"}, "allocations.0.amount"),
        ({"amount": "1.001"}, "allocations.0.amount"),
        ({"amount": "abc"}, "allocations.0.amount"),
    ],
)
def test_a_bad_allocation_names_its_field(firm, billed, allocation, field):
    allocation = {"case_no": billed[0].case_no, **allocation}
    with pytest.raises(ServiceError) as refused:
        statements.do_allocate_payment(payment(firm), allocations=[allocation], actor=firm.finance)
    assert list(refused.value.fields) == [field]


def test_a_payment_is_entered_once_per_reference_and_with_a_real_amount(firm, billed):
    payment(firm)
    with pytest.raises(ServiceError) as refused:
        payment(firm)
    assert refused.value.code == BillingErrorCode.DUPLICATE_PAYMENT
    for amount in ("0", "-5", "1.234", "x"):
        with pytest.raises(ServiceError) as refused:
            payment(firm, amount=amount, reference=f"R{amount}")
        assert refused.value.code == ErrorCode.INVALID and "amount" in refused.value.fields
    with pytest.raises(PermissionDenied):
        statements.do_record_payment(
            client=firm.client, paid_on=today(), amount="1", reference="Z", actor=firm.zhangsan
        )


def test_receivables_ageing_by_client_and_days_since_issue(firm, billed):
    AdjustingReport.objects.filter(case=billed[0]).update(
        issued_at=billed[0].adjusting_report.issued_at - timedelta(days=75)
    )
    paid = payment(firm)
    statements.do_allocate_payment(
        paid, allocations=[{"case_no": billed[1].case_no, "amount": "100"}], actor=firm.finance
    )
    (row,) = statements.receivables_ageing(firm.finance)
    assert row.client == str(firm.client.name) and row.cases == 2
    assert row.buckets == {
        "d0_30": Decimal("500.00"),
        "d31_60": Decimal("0.00"),
        "d61_90": Decimal("600.00"),
        "d90_plus": Decimal("0.00"),
    }
    assert row.total == Decimal("1100.00")
    (later,) = statements.receivables_ageing(firm.finance, on=today() + timedelta(days=20))
    assert later.buckets["d90_plus"] == Decimal("600.00")
    assert later.buckets["d0_30"] == Decimal("500.00")
    assert statements.receivables_ageing(firm.zhangsan) == []


@pytest.mark.parametrize(
    "days, bucket",
    [
        (0, "d0_30"),
        (30, "d0_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
    ],
)
def test_ageing_bucket_edges(days, bucket):
    assert statements.bucket_of(days) == bucket
