"""The commission pages: bad input is a Chinese form error, never a 500; who may not write
gets 403; the pages show what the services stored."""

import pytest
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone

from lossdesk.billing.models import CommissionRule
from lossdesk.testing import Firm

pytestmark = pytest.mark.django_db


def page_client(user) -> PageClient:
    client = PageClient()
    client.force_login(user)
    return client


def test_hq_finance_adds_a_rule_version_and_bad_terms_land_on_the_form(firm):
    finance = page_client(firm.finance)
    url = reverse("billing:commission-rule-list")
    bad = finance.post(url, {"role": "assessor", "effective_from": "2026-01-01", "rate": "2"})
    assert bad.status_code == 200
    assert "比例须为 0 到 1 之间的小数" in bad.context["form"].errors["rate"][0]
    empty = finance.post(url, {"role": "assessor", "effective_from": "2026-01-01"})
    assert "至少填写一项" in empty.context["form"].errors["rate"][0]
    assert not CommissionRule.objects.exists()

    made = finance.post(
        url, {"role": "assessor", "effective_from": "2026-01-01", "rate": "0.08", "per_unit": "5"}
    )
    assert made.status_code == 302
    assert CommissionRule.objects.get().terms == {"rate": "0.08", "per_unit": "5.00"}
    listed = finance.get(url).content.decode()
    assert "定损员" in listed and "第 1 版" in listed

    branch_finance = Firm.staff("hzfin", "杭州财务", "finance", firm.hangzhou)
    assert page_client(branch_finance).get(url).status_code == 200  # reads
    refused = page_client(branch_finance).post(
        url, {"role": "assessor", "effective_from": "2026-02-01", "rate": "0.1"}
    )
    assert refused.status_code == 403


def test_score_bands_are_typed_as_score_colon_multiplier_and_a_bad_band_is_named(firm):
    finance = page_client(firm.finance)
    url = reverse("billing:commission-rule-list")
    rule = {"role": "surveyor", "effective_from": "2026-01-01", "rate": "0.1"}
    bad = finance.post(url, {**rule, "score_multipliers": "90:1.1, 80：1"})
    assert bad.status_code == 200
    [message] = bad.context["form"].errors["score_multipliers"]
    assert message.startswith("第 2 段：") and "从低到高" in message
    missing = finance.post(url, {**rule, "score_multipliers": "80"})
    assert missing.context["form"].errors["score_multipliers"][0].startswith("第 1 段：")
    assert not CommissionRule.objects.exists()

    made = finance.post(url, {**rule, "score_multipliers": "0:0.9，80：1, 90:1.10"})
    assert made.status_code == 302
    assert CommissionRule.objects.get().terms["score_multipliers"] == [
        {"from_score": "0", "multiplier": "0.9"},
        {"from_score": "80", "multiplier": "1"},
        {"from_score": "90", "multiplier": "1.1"},
    ]
    assert "90分起 ×1.1" in finance.get(url).content.decode()


def test_a_month_not_over_is_a_form_error_and_a_surveyor_sees_no_commissions(firm):
    finance = page_client(firm.finance)
    url = reverse("billing:commission-run-list")
    this_month = timezone.localdate().strftime("%Y-%m")
    response = finance.post(url, {"branch": firm.hangzhou.pk, "month": this_month})
    assert response.status_code == 200
    assert "尚未结束" in response.context["form"].errors["month"][0]
    garbled = finance.post(url, {"branch": firm.hangzhou.pk, "month": "三月"})
    assert "YYYY-MM" in garbled.context["form"].errors["month"][0]
    assert page_client(firm.zhangsan).get(url).status_code == 403
    # A branch manager sees the runs but may not run a month.
    manager = page_client(firm.zhoujiu)
    assert manager.get(url).status_code == 200
    assert manager.post(url, {"branch": firm.hangzhou.pk, "month": "2026-01"}).status_code == 403
