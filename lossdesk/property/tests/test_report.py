"""A property item on the review page and in the adjusting report: the survey, the sheet's
lines with their 成新率 and the rule used, the negotiation and the recommended settlement
(the agreed amount when lower than the assessed total, both shown). The case is built
through the real services, from survey to issued report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType, LossItemKind, ReviewDecision
from lossdesk.claims.pdf import adjusting_report_html
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.property import services
from lossdesk.property.models import Negotiation
from lossdesk.testing import photo

pytestmark = pytest.mark.django_db

LINES = [
    {
        "treatment": "replace",
        "name": "波形护栏板",
        "specification": "Gr-A-4E",
        "unit": "块",
        "quantity": "2",
        "unit_price": "5000.00",
        "months_used": "36",
        "useful_life_years": "8",
        "salvage_value": "100.00",
    },
    {
        "treatment": "compensate",
        "name": "路灯控制箱",
        "quantity": "1",
        "unit_price": "500",
        "months_used": "120",
        "useful_life_years": "5",
    },
    {"treatment": "repair", "name": "立柱校正", "quantity": "3", "unit_price": "120"},
]
# 6,250.00 + 50.00 (at the floor) + 360.00 − 100.00 salvage
SHEET_TOTAL = Decimal("6560.00")
SURVEY = {
    "category": "road_facility",
    "owner_type": "organisation",
    "owner_name": "杭州市公路管理局",
    "owner_phone": "13912345678",
    "location": "文三路与学院路交叉口东侧",
    "description": "护栏板两块撞弯，立柱三根倾斜。",
}
RULE = "公司默认规则：成新率下限 10%"
NO_PHOTOS = "该标的没有照片。"  # ends a property item's card on the review page


def property_item(case):
    return case.loss_items.get(kind=LossItemKind.PROPERTY)


def negotiated_case(firm, *, agreed="6000.00", reason=""):
    """An assessed case whose property item is surveyed, assessed and agreed with a signed
    agreement, with three offers on the way."""
    case = firm.assessed_case(property_loss=True)
    item = property_item(case)
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    services.do_save_property_sheet(item, lines=LINES, actor=firm.qianqi)
    today = timezone.localdate()
    for days, party, speaker, amount in (
        (2, "owner", "路政科王科长", "8000.00"),
        (1, "adjuster", "钱七", "6560.00"),
        (0, "owner", "路政科王科长", "7000.00"),
    ):
        services.do_add_offer(
            item,
            offered_on=today - timedelta(days=days),
            party=party,
            speaker=speaker,
            amount=amount,
            actor=firm.qianqi,
        )
    agreement = claims_services.do_add_attachment(
        case,
        photo("协议书.jpg"),
        kind=AttachmentKind.DOCUMENT,
        doc_type=DocumentType.AGREEMENT,
        loss_item=item,
        actor=firm.qianqi,
    )
    services.do_save_negotiation(
        item,
        claimed_amount="8000.00",
        agreed_amount=agreed,
        above_assessed_reason=reason,
        agreement=agreement.pk,
        actor=firm.qianqi,
    )
    case.refresh_from_db()
    return case


def in_review(firm, **kwargs):
    case = negotiated_case(firm, **kwargs)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    case.refresh_from_db()
    return case


def review_page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("claims:case-review", args=[case.case_no]))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, start: str, end: str) -> str:
    """The text between two markers, so an assertion looks where the value belongs."""
    head = html.index(start)
    return html[head : html.index(end, head)]


def test_the_review_page_shows_the_survey_lines_rule_and_settlement(client, firm):
    case = in_review(firm)
    item = property_item(case)

    page = review_page(client, firm.lisi, case)

    card = section(page, f'data-testid="review-item-{item.seq}"', NO_PHOTOS)
    assert "道路设施/护栏" in card and "杭州市公路管理局（单位）" in card
    assert "文三路与学院路交叉口东侧" in card and "护栏板两块撞弯" in card
    lines = section(card, 'data-testid="property-lines"', "</table>")
    rows = lines.split("<tr>")[2:]
    assert "5,000.00" in rows[0] and "62.5%" in rows[0] and "6,250.00" in rows[0]
    assert "10%（下限）" in rows[1] and "50.00" in rows[1]
    assert "—" in rows[2] and "360.00" in rows[2]  # a repair does not depreciate
    assert f'data-testid="depreciation-rule">{RULE}</span>' in lines
    assert 'data-testid="sheet-total">¥6,560.00' in lines
    negotiation = section(page, 'data-testid="property-negotiation"', NO_PHOTOS)
    assert 'data-testid="agreed-amount">¥6,000.00' in negotiation
    assert negotiation.count("路政科王科长") == 2 and "7,000.00" in negotiation
    recommended = section(negotiation, 'data-testid="recommended-settlement"', "</div>")
    assert "建议赔付金额 ¥6,000.00" in recommended and "定损合计 ¥6,560.00" in recommended
    agreement = Negotiation.objects.get(loss_item=item).agreement_id
    assert f'href="/cases/{case.case_no}/attachments/{agreement}/"' in negotiation


def test_the_owners_phone_is_masked_unless_the_reviewer_may_see_personal_data(client, firm):
    case = in_review(firm)

    masked = review_page(client, firm.lisi, case)  # a reviewer: no right to personal data
    full = review_page(client, firm.zhoujiu, case)  # a branch manager: may see it

    assert 'data-testid="owner-phone">139****5678' in masked and "13912345678" not in masked
    assert 'data-testid="owner-phone">13912345678' in full


def test_an_agreed_amount_above_the_assessed_total_recommends_the_total_with_the_reason(
    client, firm
):
    case = in_review(firm, agreed="7000.00", reason="路政部门按路产赔偿标准计收。")

    page = review_page(client, firm.lisi, case)

    negotiation = section(page, 'data-testid="property-negotiation"', NO_PHOTOS)
    assert 'data-testid="agreed-amount">¥7,000.00' in negotiation
    assert "路政部门按路产赔偿标准计收。" in negotiation
    recommended = section(negotiation, 'data-testid="recommended-settlement"', "</div>")
    assert "建议赔付金额 ¥6,560.00" in recommended and "协商金额 ¥7,000.00" in recommended


def test_the_review_page_runs_as_many_queries_however_long_the_sheet(client, firm):
    case = in_review(firm)
    client.force_login(firm.lisi)
    url = reverse("claims:case-review", args=[case.case_no])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    claims_services.do_review_case(
        case, decision=ReviewDecision.RETURNED, reason="护栏板单价偏高。", actor=firm.lisi
    )
    item = property_item(case)
    services.do_save_property_sheet(item, lines=LINES * 4, actor=firm.qianqi)
    for amount in ("7500.00", "7200.00", "6900.00"):
        services.do_add_offer(
            item,
            offered_on=timezone.localdate(),
            party="owner",
            speaker="路政科王科长",
            amount=amount,
            actor=firm.qianqi,
        )
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)

    assert queries() == before


def test_the_report_shows_the_property_section_and_counts_its_total(firm):
    case = in_review(firm)
    vehicles = sum(i.sheet.total for i in case.loss_items.filter(sheet__isnull=False))
    claims_services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=firm.lisi)
    report = claims_services.do_issue_report(case, actor=firm.lisi)
    case.refresh_from_db()

    assert case.assessed_amount == case.approved_amount == vehicles + SHEET_TOTAL
    assert report.amount == case.approved_amount

    html = adjusting_report_html(case, report)
    item = property_item(case)
    part = section(html, f"{item.label}</strong>", "四、审核意见")
    assert "本报告未核定该标的损失" not in part
    assert "道路设施/护栏" in part and "杭州市公路管理局（单位） 139****5678" in part
    assert "13912345678" not in html
    row = section(part, "波形护栏板", "</tr>")
    assert "62.5%" in row and "6,250.00" in row
    assert RULE in part and "6,560.00 元" in part
    assert "协商金额</th><td>6,000.00 元" in part
    assert "<strong>6,000.00 元</strong>（定损合计 6,560.00 元，协商金额 6,000.00 元" in part
    assert "路政科王科长）报价 8,000.00 元" in part
    # The conclusion names all losses, vehicles and property, with thousands separators.
    assert f"本次事故损失核定金额为人民币 {money(report.amount)} 元" in html
    assert "," in money(report.amount)


def test_the_report_of_an_unassessed_property_item_says_so(firm):
    case = firm.assessed_case(property_loss=True)

    html = adjusting_report_html(case, report=None)

    item = property_item(case)
    assert "本报告未核定该标的损失" in section(html, f"{item.label}</strong>", "四、审核意见")
