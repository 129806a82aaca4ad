"""The timeline speaks the user's language: labels instead of codes, amounts in the money
format (12,345.60)."""

import re

import pytest
from django.urls import reverse

from lossdesk.claims import services
from lossdesk.claims.choices import ReviewDecision

pytestmark = pytest.mark.django_db


def timeline(client, user, case) -> str:
    client.force_login(user)
    html = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    start = html.index('data-testid="timeline"')
    return re.sub(r"\s+", " ", html[start : html.index("</ol>", start)])


def test_a_cancel_reason_shows_its_label_not_its_code(client, firm):
    case = firm.registered_case()
    services.do_cancel_case(case, reason="duplicate", actor=firm.zhaoliu)
    text = timeline(client, firm.zhaoliu, case)
    assert "原因：重复报案" in text
    assert "duplicate" not in text


def test_a_review_return_reason_stays_as_the_reviewer_wrote_it(client, firm):
    case = firm.in_review_case()
    services.do_review_case(
        case, decision=ReviewDecision.RETURNED, reason="duplicate 照片", level=1, actor=firm.lisi
    )
    assert "原因：duplicate 照片" in timeline(client, firm.lisi, case)


def test_amounts_on_the_timeline_use_the_money_format(client, firm):
    firm.client.second_review_threshold = 1000
    firm.client.save()
    case = firm.in_review_case()  # two vehicles, each sheet 2,215.50
    services.do_review_case(case, decision=ReviewDecision.APPROVED, level=1, actor=firm.lisi)
    text = timeline(client, firm.sunba, case)
    assert "提交审核，定损金额 4,431.00 元" in text
    assert "金额：4,431.00" in text
    assert "合计 2,215.50 元" in text and "定损合计：— → 2,215.50" in text
    assert "金额 4,431.00 元超过 1,000.00 元，转二级审核" in text
    assert "4431.00" not in text and "2215.50" not in text
