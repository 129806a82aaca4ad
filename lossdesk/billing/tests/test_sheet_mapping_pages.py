"""The settlement-sheet format page (结算清单格式): finance sets a client's headers, a bad
header is refused naming its column, the reconciliation then reads the client's sheet by
them; the branch manager reads only."""

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.billing import reconciliations
from lossdesk.billing.models import ClientSheetMapping
from lossdesk.billing.tests.test_statements import billed, make_statement  # noqa: F401

pytestmark = pytest.mark.django_db


def page(user):
    client = PageClient()
    client.force_login(user)
    return client


def edit_url(firm):
    return reverse("billing:sheet-mapping-edit", args=[firm.client.pk])


def test_finance_sets_a_clients_headers_and_the_reconciliation_reads_by_them(firm, billed):  # noqa: F811
    finance = page(firm.finance)
    listed = finance.get(reverse("billing:sheet-mapping-list"))
    assert listed.status_code == 200
    assert firm.client.name in listed.content.decode() and "常用表头" in listed.content.decode()
    saved = finance.post(
        edit_url(firm),
        {
            "client_claim_no": "理赔案件号，保单赔案号",
            "amount": "应付金额\n结算费用",
            "sheet_name": "明细",
        },
    )
    assert saved.status_code == 302
    mapping = ClientSheetMapping.objects.get(client=firm.client)
    assert mapping.columns == {
        "client_claim_no": ["理赔案件号", "保单赔案号"],
        "amount": ["应付金额", "结算费用"],
    }
    assert (mapping.sheet_name, mapping.updated_by) == ("明细", firm.finance)
    assert (
        "理赔案件号、保单赔案号"
        in finance.get(reverse("billing:sheet-mapping-list")).content.decode()
    )
    form = finance.get(edit_url(firm)).content.decode()
    assert "理赔案件号，保单赔案号" in form
    # A sheet in the client's own layout is read by those headers.
    statement = make_statement(firm)
    line = statement.lines.first()
    sheet = f"保单赔案号,结算费用\n{line.client_claim_no},{line.fee}\n".encode()
    done = reconciliations.do_reconcile_statement(
        statement, name="清单.csv", data=sheet, actor=firm.finance
    )
    assert done.lines.filter(category="matched").count() == 1


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"client_claim_no": "赔案号", "amount": "赔 案号"}, "amount", "已用作赔案号列"),
        ({"client_claim_no": "赔案号，赔案号", "amount": ""}, "client_claim_no", "重复填写"),
        (
            {"client_claim_no": "x" * 61, "amount": ""},
            "client_claim_no",
            "超过 60 字",
        ),
        (
            {"client_claim_no": ",".join(f"列{i}" for i in range(11)), "amount": ""},
            "client_claim_no",
            "最多填写 10 个",
        ),
    ],
)
def test_a_bad_header_is_refused_naming_its_column(firm, body, field, says):
    refused = page(firm.finance).post(edit_url(firm), body)
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert list(errors) == [field] and says in errors[field][0]
    assert body["client_claim_no"] in refused.content.decode()  # the typed headers stay
    assert not ClientSheetMapping.objects.filter(client=firm.client).exists()


def test_the_branch_manager_reads_and_a_surveyor_does_not(firm):
    manager = page(firm.zhoujiu)
    assert manager.get(reverse("billing:sheet-mapping-list")).status_code == 200
    assert manager.get(edit_url(firm)).status_code == 200
    assert manager.post(edit_url(firm), {"client_claim_no": "赔案号"}).status_code == 403
    assert page(firm.zhangsan).get(reverse("billing:sheet-mapping-list")).status_code == 403
    missing = reverse("billing:sheet-mapping-edit", args=[999999])
    assert page(firm.finance).get(missing).status_code == 404
