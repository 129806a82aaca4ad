"""The 收费协议 page: HQ finance adds a version and sees every version; bad terms are a form
error naming the key; a city's finance and the branch manager read only."""

import pytest
from django.test import Client as PageClient
from django.urls import reverse

from lossdesk.billing.models import FeeContract
from lossdesk.testing import Firm

pytestmark = pytest.mark.django_db
URL = reverse("billing:contract-list")
TERMS = '{"mode": "percentage", "rate": "0.03", "minimum": "300", "night_surcharge": "100"}'


def page(user):
    client = PageClient()
    client.force_login(user)
    return client


def body(firm, terms=TERMS):
    return {
        "client": firm.client.pk,
        "line": "motor",
        "effective_from": "2026-01-01",
        "terms": terms,
    }


def test_hq_finance_adds_the_next_version_and_the_list_shows_both(firm):
    finance = page(firm.finance)
    assert finance.post(URL, body(firm)).status_code == 302
    assert finance.post(URL, body(firm, TERMS.replace("0.03", "0.035"))).status_code == 302
    versions = FeeContract.objects.filter(client=firm.client, line="motor").order_by("version")
    assert [(c.version, c.terms["rate"]) for c in versions] == [(1, "0.03"), (2, "0.035")]
    assert versions[0].terms["minimum"] == "300.00"  # stored canonical
    listed = finance.get(URL).content.decode()
    assert "第 2 版" in listed and "最新" in listed and "第 1 版" in listed


def test_bad_terms_are_a_form_error_naming_the_key(firm):
    brackets = (
        '{"mode": "progressive", "brackets": [{"up_to": "10000", "rate": "0.04"},'
        ' {"up_to": "5000", "rate": "0.03"}, {"up_to": null, "rate": "0.02"}]}'
    )
    refused = page(firm.finance).post(URL, body(firm, brackets))
    assert refused.status_code == 400
    [message] = refused.context["form"].errors["terms"]
    assert message.startswith("brackets.1.up_to：须大于上一档的上限 10000.00")
    not_json = page(firm.finance).post(URL, body(firm, "{mode: percentage"))
    assert not_json.status_code == 400 and "terms" in not_json.context["form"].errors
    assert not FeeContract.objects.exists()


def test_a_city_finance_and_the_branch_manager_read_but_do_not_add(firm):
    city_finance = Firm.staff("hz_finance", "杭州财务", "finance", firm.hangzhou)
    for reader in (city_finance, firm.zhoujiu):
        got = page(reader).get(URL)
        assert got.status_code == 200 and 'data-testid="contract-form"' not in got.content.decode()
        assert page(reader).post(URL, body(firm)).status_code == 403
    assert page(firm.zhangsan).get(URL).status_code == 403
    assert not FeeContract.objects.exists()
