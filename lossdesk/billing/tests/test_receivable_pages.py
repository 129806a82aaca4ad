"""The finance pages without a browser: who may open them, and bad input as a Chinese form
error with status 400, never a 500."""

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.billing import statements
from lossdesk.billing.tests.test_statements import billed, make_statement, today  # noqa: F401

pytestmark = pytest.mark.django_db


def page(user):
    client = PageClient()
    client.force_login(user)
    return client


def test_only_finance_and_managers_open_the_pages(firm, billed):  # noqa: F811
    for name in ("statement-list", "payment-list", "ageing"):
        assert page(firm.finance).get(reverse(f"billing:{name}")).status_code == 200
        assert page(firm.zhangsan).get(reverse(f"billing:{name}")).status_code == 403
    assert page(firm.zhoujiu).get(reverse("billing:statement-list")).status_code == 200
    made = page(firm.zhoujiu).post(
        reverse("billing:statement-list"),
        {"client": firm.client.pk, "period_start": today(), "period_end": today()},
    )
    assert made.status_code == 403


def test_bad_input_is_a_chinese_form_error(firm, billed):  # noqa: F811
    finance = page(firm.finance)
    empty = finance.post(
        reverse("billing:statement-list"),
        {"client": firm.client.pk, "period_start": "2020-01-01", "period_end": "2020-01-31"},
    )
    assert empty.status_code == 200 and "没有可列入对账单的案件" in empty.content.decode()
    statement = make_statement(firm)
    refused = finance.post(reverse("billing:statement-action", args=[statement.pk, "void"]))
    assert refused.status_code == 400 and "请填写说明" in refused.content.decode()
    upload = finance.post(reverse("billing:statement-reconcile", args=[statement.pk]))
    assert upload.status_code == 400 and "该字段是必填项" in upload.content.decode()
    payment = statements.do_record_payment(
        client=firm.client, paid_on=today(), amount="100", reference="R1", actor=firm.finance
    )
    over = finance.post(
        reverse("billing:payment-detail", args=[payment.pk]),
        {f"amount_{billed[0].case_no}": "100.01"},
    )
    assert over.status_code == 400
    assert "超出回款尚可核销金额" in over.content.decode()
    assert 'value="100.01"' in over.content.decode()
    bad = finance.post(
        reverse("billing:payment-list"),
        {"client": firm.client.pk, "paid_on": today(), "amount": "abc", "reference": "R2"},
    )
    assert bad.status_code == 200 and "须为金额" in bad.content.decode()
