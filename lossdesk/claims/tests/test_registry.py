"""A loss line plugs into the case core with one registration and no change to claims.

The fake line (lossdesk/claims/tests/fake_line: a model, two templates, a serializer and
`register()`) assesses property loss items with a one-figure valuation, in place of the
property app's line. Once registered,
claims counts it in the assessed amount, demands it before review, lets its assessor see
the case under scope "own", keeps its assessor from reviewing it, and shows it on the case
page, on the review page, in the adjusting report and in the case API. A case
contribution's deadlines reach the caller of `deadlines_for` the same way."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import registry, services
from lossdesk.claims.choices import LossItemKind, LossItemStatus
from lossdesk.claims.models import Case
from lossdesk.claims.pdf import adjusting_report_html
from lossdesk.claims.tests.fake_line import line as fake_line
from lossdesk.claims.tests.fake_line.models import Valuation
from lossdesk.core.errors import Incomplete
from lossdesk.testing import client_for, error_of


@pytest.fixture
def no_property_line(monkeypatch):
    """The registry without the line that handles property items (the property app's)."""
    lines = {k: v for k, v in registry._LINES.items() if LossItemKind.PROPERTY not in v.kinds}
    monkeypatch.setattr(registry, "_LINES", lines)


@pytest.fixture
def fake_registered(no_property_line):
    fake_line.register()


def _property_item(case):
    return case.loss_items.get(kind=LossItemKind.PROPERTY)


def _assessed_with_property(firm, amount="1234.50", assessor=None):
    case = firm.assessed_case(property_loss=True)
    Valuation.objects.create(
        loss_item=_property_item(case),
        number="GS-0001",
        assessor=assessor or firm.qianqi,
        total=Decimal(amount),
    )
    return case


def test_without_a_line_for_their_kind_claims_ignores_property_items(firm, no_property_line):
    case = firm.assessed_case(property_loss=True)
    sheets_only = services.recompute_assessed_amount(case)
    Valuation.objects.create(
        loss_item=_property_item(case), number="GS-0001", assessor=firm.qianqi, total=1
    )
    assert services.recompute_assessed_amount(case) == sheets_only
    services.do_submit_for_review(case, actor=firm.zhangsan)
    assert _property_item(case).status == LossItemStatus.PENDING


def test_the_assessed_amount_adds_the_lines_amount(firm, fake_registered):
    case = _assessed_with_property(firm)
    sheets = sum(item.sheet.total for item in case.loss_items.filter(sheet__isnull=False))

    services.do_submit_for_review(case, actor=firm.zhangsan)

    case.refresh_from_db()
    assert case.assessed_amount == sheets + Decimal("1234.50")
    assert _property_item(case).status == LossItemStatus.SUBMITTED


def test_submitting_waits_for_the_lines_document(firm, fake_registered):
    case = firm.assessed_case(property_loss=True)
    item = _property_item(case)

    with pytest.raises(Incomplete) as refused:
        services.do_submit_for_review(case, actor=firm.zhangsan)

    assert refused.value.fields == {f"loss_items.{item.seq}": ["三者物损 尚未估损。"]}


def test_the_documents_assessor_sees_the_case_under_scope_own(firm, fake_registered):
    case = _assessed_with_property(firm, assessor=firm.wangwu)  # a surveyor in another branch
    assert Case.objects.for_user(firm.wangwu).filter(pk=case.pk).exists()


def test_the_documents_assessor_may_not_review_it(firm, fake_registered):
    case = _assessed_with_property(firm, assessor=firm.lisi)
    services.do_submit_for_review(case, actor=firm.zhangsan)
    case.refresh_from_db()

    response = client_for(firm.lisi).post(
        f"/api/v1/cases/{case.case_no}/review", {"decision": "approved", "level": 1}
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "self_review"


def test_the_case_api_shows_the_document(firm, fake_registered):
    case = _assessed_with_property(firm)

    body = client_for(firm.zhangsan).get(f"/api/v1/cases/{case.case_no}").json()

    items = {item["kind"]: item for item in body["loss_items"]}
    assert items["property"]["valuation"] == {"number": "GS-0001", "total": "1234.50"}
    assert items["insured_vehicle"]["valuation"] is None
    assert items["insured_vehicle"]["sheet"]["total"] is not None


def test_the_case_review_and_report_pages_show_the_document(firm, fake_registered):
    case = _assessed_with_property(firm)
    browser = client_for(firm.zhangsan)
    browser.force_login(firm.zhangsan)

    page = browser.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert "GS-0001" in page and "钱七" in page

    services.do_submit_for_review(case, actor=firm.zhangsan)
    browser.force_login(firm.lisi)
    review = browser.get(reverse("claims:case-review", args=[case.case_no])).content.decode()
    assert 'data-testid="fake-valuation">估损金额 1234.50' in review

    html = adjusting_report_html(case, report=None)
    assert "估损单 GS-0001：1234.50 元" in html


def test_a_kind_has_one_line(fake_registered):
    clash = registry.LossLine(**{**vars(fake_line.PROPERTY_LINE), "name": "another"})
    with pytest.raises(ImproperlyConfigured, match="already handled"):
        registry.register_loss_line(clash)


def test_deadlines_come_from_every_source_by_case_nearest_first(firm, monkeypatch):
    first, second = firm.surveying_case(), firm.surveying_case(plate="浙A22222")
    now = timezone.now()
    asked = []

    def source(hours, label):
        def deadlines(cases, user, at):
            asked.append((sorted(cases.values_list("pk", flat=True)), user, at))
            return [(first.pk, registry.Deadline(label, now + timedelta(hours=hours), hours < 0))]

        return deadlines

    monkeypatch.setattr(registry, "_CONTRIBUTIONS", {})
    registry.register_case_contribution(
        registry.CaseContribution("late", deadlines=source(5, "晚"))
    )
    registry.register_case_contribution(registry.CaseContribution("none"))
    registry.register_case_contribution(
        registry.CaseContribution("soon", deadlines=source(-1, "早"))
    )

    found = registry.deadlines_for(Case.objects.all(), firm.zhangsan, now)

    assert list(found) == [first.pk]  # a case without any is left out
    assert [(d.label, d.overdue) for d in found[first.pk]] == [("早", True), ("晚", False)]
    # Each source is asked once, for all the cases together.
    assert asked == [(sorted([first.pk, second.pk]), firm.zhangsan, now)] * 2
