"""The property page (三者物损) in the web UI: scope, the sheet saved through the service,
errors on the right cell, conflicts, read-only states, and the survey, negotiation and offer
forms posted to their action pages."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.property import services
from lossdesk.property.models import PropertySheet, PropertySurvey
from lossdesk.property.sheet_forms import LINE_FIELDS
from lossdesk.testing import add_damage_photo, hidden_inputs, photo, sheet_form, tag

pytestmark = pytest.mark.django_db

# The worked example: 6,250.00 + 50.00 + 360.00 = 6,660.00.
WORKED = [
    {
        "name": "波形护栏板",
        "unit": "块",
        "treatment": "replace",
        "quantity": "2",
        "unit_price": "5000.00",
        "months_used": "36",
        "useful_life_years": "8",
    },
    {
        "name": "路灯控制箱",
        "treatment": "compensate",
        "quantity": "1",
        "unit_price": "500",
        "months_used": "120",
        "useful_life_years": "5",
    },
    {"name": "立柱校正", "treatment": "repair", "quantity": "3", "unit_price": "120"},
]
SURVEY = {
    "category": "road_facility",
    "owner_type": "organisation",
    "owner_name": "杭州市公路管理局",
    "owner_phone": "13912345678",
    "location": "文三路与学院路交叉口东侧",
    "description": "护栏板两块撞弯，立柱三根倾斜。",
}


@pytest.fixture
def case(firm):
    return firm.assessing_case(property_loss=True)


@pytest.fixture
def item(case):
    return case.loss_items.get(kind=LossItemKind.PROPERTY)


def page_url(item, name: str = "property:item") -> str:
    return reverse(name, kwargs={"case_no": item.case.case_no, "seq": item.seq})


def sheet_version(case) -> int:
    """The version of the property sheet as the page would carry it (0: no sheet yet)."""
    sheet = PropertySheet.objects.filter(loss_item__case=case).first()
    return sheet.version if sheet else 0


def form_data(case, lines, *, blank_rows: int = 1, version=None, remarks: str = "") -> dict:
    rows = [*lines, *([{}] * blank_rows)]
    data = {
        "sheet_version": sheet_version(case) if version is None else version,
        "remarks": remarks,
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "300",
    }
    for i, row in enumerate(rows):
        for name in LINE_FIELDS:
            data[f"lines-{i}-{name}"] = row.get(name, "")
    return data


def cell_error(html: str, name: str) -> str:
    """The error text shown right after the field `name` (empty when there is none)."""
    start = html.index(tag(html, name))
    cell = html[start : html.index("</td>", start)]
    feedback = re.search(r'<div class="invalid-feedback[^"]*"[^>]*>(.*)</div>', cell, re.S)
    return re.sub(r"<[^>]+>", " ", feedback.group(1)).strip() if feedback else ""


def saved_sheet(firm, item, lines=WORKED, actor=None):
    return services.do_save_property_sheet(item, lines=lines, actor=actor or firm.zhangsan)


# --- the page ------------------------------------------------------------------------------


def test_the_page_renders_the_three_sections_for_the_assessor(client, firm, item):
    client.force_login(firm.qianqi)
    response = client.get(page_url(item))
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("物损查勘", "物损定损单", "协商"):
        assert f">{title}</h2>" in html
    # The rule in force is named above the lines, and the editor is open.
    assert "公司默认规则：成新率下限 10%" in html
    for name in ("name", "treatment", "purchase_date", "months_used", "useful_life_years"):
        tag(html, f"lines-0-{name}")
    # The useful-life table pre-fills a line's years without JS (a datalist).
    assert 'list="useful-life-defaults"' in tag(html, "lines-0-useful_life_years")
    assert '<option value="10">护栏（道路设施）</option>' in html
    # Negotiation and offers post to their declared action pages; the upload link is there.
    assert f'action="{page_url(item, "property:negotiation")}"' in html
    assert f'action="{page_url(item, "property:offer")}"' in html
    assert reverse("claims:case-upload", args=[item.case.case_no]) in html
    assert "权属证明、购置发票、索赔清单、协议书" in html
    # A date input takes ISO dates only.
    assert f'value="{timezone.localdate().isoformat()}"' in tag(html, "offered_on")


def test_the_four_forms_of_the_surveyor_s_page_never_share_an_element_id(client, firm, item):
    client.force_login(firm.zhangsan)
    html = client.get(page_url(item)).content.decode()
    for name in ("owner_name", "agreed_amount", "speaker", "lines-0-name"):
        tag(html, name)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_case_page_links_the_property_item_to_its_page(client, firm, item):
    client.force_login(firm.qianqi)
    html = client.get(reverse("claims:case-detail", args=[item.case.case_no])).content.decode()
    assert f'href="{page_url(item)}"' in html


def test_a_vehicle_item_or_an_unknown_seq_has_no_property_page(client, firm, case, item):
    client.force_login(firm.zhangsan)
    vehicle = case.loss_items.get(seq=1)
    assert vehicle.kind != LossItemKind.PROPERTY
    assert client.get(page_url(vehicle)).status_code == 404
    assert client.post(page_url(vehicle, "property:sheet"), {}).status_code == 404
    url = reverse("property:item", kwargs={"case_no": case.case_no, "seq": 99})
    assert client.get(url).status_code == 404


def test_another_branch_gets_404(client, firm, item):
    client.force_login(firm.wangwu)
    assert client.get(page_url(item)).status_code == 404


# --- the sheet -----------------------------------------------------------------------------


def test_saving_the_worked_example_through_the_page(client, firm, case, item):
    client.force_login(firm.qianqi)
    response = client.post(page_url(item, "property:sheet"), form_data(case, WORKED))
    assert response.status_code == 302
    assert response["Location"] == page_url(item)

    sheet = PropertySheet.objects.get(loss_item=item)
    assert [line.amount for line in sheet.lines.order_by("seq")] == [
        Decimal("6250.00"),
        Decimal("50.00"),
        Decimal("360.00"),
    ]
    assert sheet.total == Decimal("6660.00")
    assert sheet.assessor == firm.qianqi

    html = client.get(response["Location"]).content.decode()
    assert "物损定损单已保存" in html
    assert sheet.sheet_no in html
    assert 'data-total="total">6,660.00</td>' in html
    # The saved lines come back into the editor, with the 成新率 the rule gave them.
    assert 'value="波形护栏板"' in tag(html, "lines-0-name")
    assert 'value="36"' in tag(html, "lines-0-months_used")
    assert "62.5%" in html and "10%（下限）" in html and "6,250.00" in html
    # A repair does not depreciate: no 成新率 on its row.
    assert "data-rate>—</td>" in html


def test_add_rows_keeps_what_was_typed_previews_the_amounts_and_saves_nothing(
    client, firm, case, item
):
    client.force_login(firm.qianqi)
    data = form_data(case, WORKED[:1], blank_rows=0)
    data["add_rows"] = "1"
    response = client.post(page_url(item, "property:sheet"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="波形护栏板"' in tag(html, "lines-0-name")
    tag(html, "lines-3-name")  # 1 typed + 3 blank rows
    assert '<td class="sheet-col-amount text-end" data-amount>6,250.00</td>' in html
    assert not PropertySheet.objects.filter(loss_item=item).exists()


@pytest.mark.parametrize(
    ("index", "field", "value", "message"),
    [
        (0, "months_used", "-1", "已使用月数不能为负数"),
        (0, "useful_life_years", "0", "必须大于 0"),
        (1, "salvage_value", "60", "残值不能大于本行金额 50.00"),
    ],
)
def test_bad_input_is_shown_on_its_cell_and_saves_nothing(
    client, firm, case, item, index, field, value, message
):
    lines = [dict(line) for line in WORKED]
    lines[index][field] = value
    client.force_login(firm.qianqi)
    events = CaseEvent.objects.count()
    response = client.post(page_url(item, "property:sheet"), form_data(case, lines))
    assert response.status_code == 400
    html = response.content.decode()
    assert services.SHEET_INVALID in html
    error = cell_error(html, f"lines-{index}-{field}")
    assert error and message in error
    assert "is-invalid" in tag(html, f"lines-{index}-{field}")
    # Only that cell is marked, and every row is kept as typed.
    assert cell_error(html, "lines-2-unit_price") == ""
    assert f'value="{value}"' in tag(html, f"lines-{index}-{field}")
    assert 'value="立柱校正"' in tag(html, "lines-2-name")
    assert not PropertySheet.objects.filter(loss_item=item).exists()
    assert CaseEvent.objects.count() == events


def test_a_text_cell_beyond_its_limit_is_refused_on_its_cell(client, firm, case, item):
    lines = [dict(line) for line in WORKED]
    lines[1]["name"] = "控" * 101
    lines[2]["remarks"] = "注" * 201
    client.force_login(firm.qianqi)
    response = client.post(page_url(item, "property:sheet"), form_data(case, lines))
    assert response.status_code == 400
    html = response.content.decode()
    assert cell_error(html, "lines-1-name") == "最多 100 个字。"
    assert cell_error(html, "lines-2-remarks") == "最多 200 个字。"
    assert not PropertySheet.objects.filter(loss_item=item).exists()


def test_a_sheet_of_blank_rows_is_refused_at_the_top(client, firm, case, item):
    client.force_login(firm.qianqi)
    response = client.post(page_url(item, "property:sheet"), form_data(case, [], blank_rows=3))
    assert response.status_code == 400
    errors = response.content.decode().split("data-sheet-errors", 1)[1].split("</div>", 1)[0]
    assert "物损定损单至少需要一个项目。" in errors
    assert not PropertySheet.objects.filter(loss_item=item).exists()


def test_the_editor_carries_the_sheet_version_not_the_case_version(client, firm, case, item):
    client.force_login(firm.zhangsan)
    form = sheet_form(client.get(page_url(item)).content.decode())
    assert 'name="sheet_version" value="0"' in tag(form, "sheet_version")  # no sheet yet
    assert 'name="version"' not in form
    saved_sheet(firm, item)
    saved_sheet(firm, item)
    form = sheet_form(client.get(page_url(item)).content.decode())
    assert 'value="2"' in tag(form, "sheet_version")


def test_a_sheet_saved_meanwhile_keeps_the_rows_and_names_the_other_edit(client, firm, case, item):
    seen = sheet_version(case)
    client.force_login(firm.zhangsan)
    # 钱七 saves the sheet while 张三 still has the page open.
    saved_sheet(firm, item, lines=WORKED[2:], actor=firm.qianqi)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(page_url(item, "property:sheet"), form_data(case, WORKED, version=seen))
    assert response.status_code == 409
    html = response.content.decode()
    assert "物损定损单已被他人修改" in html
    assert "定损中" in html  # the state the case is in now
    assert "您填写的内容已保留" in html
    assert 'value="波形护栏板"' in tag(html, "lines-0-name")
    assert 'value="5000.00"' in tag(html, "lines-0-unit_price")
    assert "由 钱七 编制，合计 360.00 元" in html
    sheet = PropertySheet.objects.get(loss_item=item)
    assert (sheet.total, sheet.version) == (Decimal("360.00"), 1)
    assert CaseEvent.objects.filter(case=case).count() == events
    # The page now carries the sheet's current version: saving again, knowingly, goes through.
    assert 'value="1"' in tag(sheet_form(html), "sheet_version")
    data = form_data(case, WORKED, version=1)
    response = client.post(page_url(item, "property:sheet"), data)
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.total, sheet.assessor, sheet.version) == (Decimal("6660.00"), firm.zhangsan, 2)


def test_a_photo_uploaded_meanwhile_does_not_refuse_the_save(client, firm, case, item):
    saved_sheet(firm, item, lines=WORKED[2:])
    client.force_login(firm.zhangsan)
    page = sheet_form(client.get(page_url(item)).content.decode())
    # A photo arrives while the page is open: the case version moves, the sheet's does not.
    before = case.version
    add_damage_photo(case, actor=firm.qianqi)
    case.refresh_from_db()
    assert case.version > before
    # The save posts the versions the page carries, whatever they are.
    data = {k: v for k, v in form_data(case, WORKED).items() if "version" not in k}
    versions = {k: v for k, v in hidden_inputs(page).items() if "version" in k}
    response = client.post(page_url(item, "property:sheet"), {**data, **versions})
    assert response.status_code == 302
    sheet = PropertySheet.objects.get(loss_item=item)
    assert (sheet.total, sheet.version) == (Decimal("6660.00"), 2)


def test_a_page_posting_only_the_case_version_is_checked_against_the_case(client, firm, case, item):
    # An editor page drawn before property sheets had their own version.
    saved_sheet(firm, item, lines=WORKED[2:])
    case.refresh_from_db()
    stale = case.version
    add_damage_photo(case, actor=firm.qianqi)
    client.force_login(firm.zhangsan)
    data = form_data(case, WORKED)
    del data["sheet_version"]
    response = client.post(page_url(item, "property:sheet"), {**data, "version": stale})
    assert response.status_code == 409
    html = response.content.decode()
    assert "案件已被他人修改" in html
    assert 'value="波形护栏板"' in tag(html, "lines-0-name")
    assert 'value="1"' in tag(sheet_form(html), "sheet_version")
    assert PropertySheet.objects.get(loss_item=item).total == Decimal("360.00")
    case.refresh_from_db()
    response = client.post(page_url(item, "property:sheet"), {**data, "version": case.version})
    assert response.status_code == 302


def test_a_page_without_any_version_or_a_tampered_one_is_a_form_error(client, firm, case, item):
    client.force_login(firm.zhangsan)
    data = form_data(case, WORKED)
    del data["sheet_version"]
    response = client.post(page_url(item, "property:sheet"), data)
    assert response.status_code == 400
    assert "页面缺少版本号" in response.content.decode()
    response = client.post(page_url(item, "property:sheet"), {**data, "sheet_version": "abc"})
    assert response.status_code == 400
    assert "页面版本号无效" in response.content.decode()
    assert not PropertySheet.objects.filter(loss_item=item).exists()


def test_read_only_without_the_assess_permission(client, firm, item):
    saved_sheet(firm, item)
    client.force_login(firm.lisi)  # a reviewer: sees the case, may not assess
    response = client.get(page_url(item))
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有「定损」权限" in html
    assert 'name="lines-0-name"' not in html
    assert "波形护栏板" in html and "6,660.00" in html and "62.5%" in html
    assert f'action="{page_url(item, "property:negotiation")}"' not in html
    assert f'action="{page_url(item, "property:offer")}"' not in html

    case = item.case
    case.refresh_from_db()
    response = client.post(page_url(item, "property:sheet"), form_data(case, WORKED[2:]))
    assert response.status_code == 403
    assert "未保存" in response.content.decode()
    assert PropertySheet.objects.get(loss_item=item).total == Decimal("6660.00")


def test_read_only_once_the_case_is_in_review(client, firm):
    case = firm.assessed_case(property_loss=True)
    item = case.loss_items.get(kind=LossItemKind.PROPERTY)
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    saved_sheet(firm, item)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    case.refresh_from_db()
    client.force_login(firm.zhangsan)
    html = client.get(page_url(item)).content.decode()
    assert "待审核" in html and "不能修改" in html
    assert 'name="lines-0-name"' not in html and 'name="owner_name"' not in html
    assert "139****5678" not in html  # the surveyor may see the number in full
    assert "13912345678" in html and "6,660.00" in html

    response = client.post(page_url(item, "property:sheet"), form_data(case, WORKED[2:]))
    assert response.status_code == 409
    assert "未保存" in response.content.decode()
    assert PropertySheet.objects.get(loss_item=item).total == Decimal("6660.00")


def test_the_sheet_page_answers_get_only_and_the_save_post_only(client, firm, item):
    client.force_login(firm.qianqi)
    assert client.post(page_url(item), {}).status_code == 405
    assert client.get(page_url(item, "property:sheet")).status_code == 405


# --- survey, negotiation, offers ------------------------------------------------------------


def test_the_survey_form_saves_through_its_action_page(client, firm, case, item):
    client.force_login(firm.zhangsan)
    html = client.get(page_url(item)).content.decode()
    assert f'action="{page_url(item, "property:survey")}"' in html
    response = client.post(page_url(item, "property:survey"), {**SURVEY, "version": case.version})
    assert (response.status_code, response["Location"]) == (302, page_url(item))
    survey = PropertySurvey.objects.get(loss_item=item)
    assert (survey.owner_name, survey.owner_phone) == ("杭州市公路管理局", "13912345678")
    # The surveyor (with the PII permission) sees the number in the form.
    html = client.get(page_url(item)).content.decode()
    assert 'value="13912345678"' in tag(html, "owner_phone")


def test_the_owner_phone_is_masked_for_a_viewer_without_the_pii_permission(client, firm, item):
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    client.force_login(firm.qianqi)  # an assessor: no PII permission, no survey permission
    html = client.get(page_url(item)).content.decode()
    assert "139****5678" in html
    assert "13912345678" not in html
    assert "杭州市公路管理局" in html


def test_negotiation_and_offers_through_their_action_pages(client, firm, case, item):
    saved_sheet(firm, item)
    case.refresh_from_db()
    client.force_login(firm.qianqi)
    yesterday = timezone.localdate() - timedelta(days=1)
    offer = {
        "version": case.version,
        "offered_on": yesterday.isoformat(),
        "party": "owner",
        "speaker": "李科长",
        "amount": "8000",
        "note": "按新品价索赔",
    }
    response = client.post(page_url(item, "property:offer"), offer)
    assert (response.status_code, response["Location"]) == (302, page_url(item))
    case.refresh_from_db()
    negotiation = {
        "version": case.version,
        "claimed_amount": "8000",
        "agreed_amount": "6500",
        "agreed_on": yesterday.isoformat(),
    }
    response = client.post(page_url(item, "property:negotiation"), negotiation)
    assert (response.status_code, response["Location"]) == (302, page_url(item))

    html = client.get(page_url(item)).content.decode()
    assert "协商结果已保存：协商金额 6,500.00 元。" in html
    offers = html[html.index("data-offers") :]
    offers = offers[: offers.index("</table>")]
    for text in (yesterday.isoformat(), "物主", "李科长", "8,000.00", "按新品价索赔"):
        assert text in offers
    assert '<dd class="col-sm-3" data-amount="claimed">8,000.00</dd>' in html
    assert '<dd class="col-sm-3" data-amount="assessed">6,660.00</dd>' in html
    assert "6,500.00" in html[html.index('data-amount="agreed"') :]
    # The lower of the agreed amount and the assessed total.
    assert '<dd class="col-sm-3 fw-bold" data-amount="recommended">6,500.00</dd>' in html


def test_an_agreed_amount_above_the_assessed_total_needs_its_reason(client, firm, case, item):
    saved_sheet(firm, item)
    case.refresh_from_db()
    client.force_login(firm.qianqi)
    response = client.post(
        page_url(item, "property:negotiation"),
        {"version": case.version, "agreed_amount": "7000"},
    )
    assert response.status_code == 400
    assert "须说明原因" in response.content.decode()
    html = client.get(page_url(item)).content.decode()
    assert '<dd class="col-sm-3 fw-bold" data-amount="recommended">6,660.00</dd>' in html


def test_the_survey_action_page_never_shows_the_full_phone_to_a_viewer_without_pii(
    client, firm, item
):
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    client.force_login(firm.qianqi)
    html = client.get(page_url(item, "property:survey")).content.decode()
    assert "13912345678" not in html
    assert "139****5678" in html


def test_the_masked_phone_sent_back_unchanged_keeps_the_stored_number(client, firm, case, item):
    services.do_save_property_survey(item, SURVEY, actor=firm.zhangsan)
    case.refresh_from_db()
    client.force_login(firm.zhangsan)
    data = {**SURVEY, "owner_phone": "139****5678", "location": "文三路", "version": case.version}
    assert client.post(page_url(item, "property:survey"), data).status_code == 302
    survey = PropertySurvey.objects.get(loss_item=item)
    assert (survey.owner_phone, survey.location) == ("13912345678", "文三路")


def test_the_page_s_queries_do_not_grow_with_the_documents_and_offers(client, firm, case, item):
    saved_sheet(firm, item)
    client.force_login(firm.qianqi)

    def add_agreement_and_offer():
        claims_services.do_add_attachment(
            case,
            photo("协议书.jpg"),
            kind=AttachmentKind.DOCUMENT,
            doc_type=DocumentType.AGREEMENT,
            loss_item=item,
            actor=firm.qianqi,
        )
        services.do_add_offer(
            item,
            offered_on=timezone.localdate(),
            party="owner",
            speaker="李科长",
            amount="8000",
            actor=firm.qianqi,
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(item)).status_code == 200
        return len(captured)

    add_agreement_and_offer()
    client.get(page_url(item))  # warm the per-process caches
    one = queries()
    add_agreement_and_offer()
    add_agreement_and_offer()
    assert queries() == one
