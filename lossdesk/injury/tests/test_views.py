"""The injury page (人伤定损) in the web UI: the person, the compensation inputs and the bill
audit saved through the service, errors on the input they name, the ID number masked by
position, conflicts and the read-only states."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lossdesk.calc.models import CompensationStandard
from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, LossItemKind
from lossdesk.claims.models import CaseEvent
from lossdesk.core.masking import mask_id_number
from lossdesk.injury.models import InjuredPerson, InjuryAssessment
from lossdesk.injury.services.assessment import ASSESSMENT_INVALID, do_save_injury_assessment
from lossdesk.injury.tests.test_investigation import surveyed
from lossdesk.injury.tests.test_services import BILLS, CALCULATOR, on_accident_day, person_aged
from lossdesk.testing import add_damage_photo, hidden_inputs, photo, sheet_form, tag

pytestmark = pytest.mark.django_db

# The page's form of test_services.BILLS: one inpatient bill, the drug cut for 非医保用药.
PAGE_BILLS = [{**BILLS[0], "inpatient": "1"}]
# TV-9 typed on the page: 浙江 2012 城镇 30,971 inline, 十级.
TV9 = {
    "outcome": "disability",
    "disability_grades": "10",
    "standard_mode": "inline",
    "std_urban_disposable_income": "30,971",
    "std_label": "浙江 2012 城镇",
    "hospital_days": "12",
    "hospital_food_daily": "100",
}


@pytest.fixture
def case(firm):
    return firm.assessing_case(injured_persons=1)


@pytest.fixture
def item(case):
    return case.loss_items.get(kind=LossItemKind.INJURY)


def page_url(item, name: str = "injury:item") -> str:
    return reverse(name, kwargs={"case_no": item.case.case_no, "seq": item.seq})


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def sheet_version(case) -> int:
    """The version of the injury assessment as the page would carry it (0: none yet)."""
    assessment = InjuryAssessment.objects.filter(loss_item__case=case).first()
    return assessment.version if assessment else 0


def form_data(case, person, *, bills=PAGE_BILLS, version=None, **calculator) -> dict:
    data = {
        "sheet_version": sheet_version(case) if version is None else version,
        "remarks": "",
        **{name: value for name, value in {**TV9, **calculator}.items()},
        **management("dependants", 0),
        **management("bills", len(bills)),
    }
    for name, value in person.items():
        if name == "urban":
            if value:
                data["person-urban"] = "on"
        else:
            data[f"person-{name}"] = value
    day = timezone.localdate(case.report.accident_time).isoformat()
    for i, bill in enumerate(bills):
        for name in ("invoice_no", "hospital", "date", "inpatient"):
            data[f"bills-{i}-{name}"] = bill.get(name, day if name == "date" else "")
        lines = bill.get("lines", [])
        data.update(management(f"bills-{i}-lines", len(lines)))
        for j, line in enumerate(lines):
            for name, value in line.items():
                data[f"bills-{i}-lines-{j}-{name}"] = value
    return data


def field_error(html: str, name: str) -> str:
    """The error shown right after the field `name` (empty when there is none)."""
    field = tag(html, name)
    end = html.index(field) + len(field)
    for closing in ("</select>", "</textarea>"):
        if field.startswith(closing.replace("/", "")[:-1]):
            end = html.index(closing, end) + len(closing)
    feedback = re.match(r'<div class="invalid-feedback d-block">(.*?)</div>', html[end:], re.S)
    return feedback.group(1).strip() if feedback else ""


def saved(firm, item, actor=None, **kwargs):
    return do_save_injury_assessment(
        item,
        person=person_aged(item, 40),
        calculator=CALCULATOR,
        bills=on_accident_day(item, BILLS),
        actor=actor or firm.zhangsan,
        **kwargs,
    )


# --- the page ------------------------------------------------------------------------------


def test_the_page_renders_its_sections_for_the_assessor(client, firm, case, item):
    client.force_login(firm.qianqi)
    response = client.get(page_url(item))
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("伤者", "伤情与赔偿", "医疗费审核", "赔偿计算结果"):
        assert f">{title}</h2>" in html
    for name in ("person-name", "person-id_number", "outcome", "standard", "nursing_days"):
        tag(html, name)
    # One blank bill with blank line rows, and the buttons that add more without JS.
    for name in ("bills-0-invoice_no", "bills-0-lines-0-category", "bills-0-lines-2-reasonable"):
        tag(html, name)
    assert 'name="add_bill"' in html and 'name="add_lines" value="0"' in html
    # The standards table offers its provinces and years.
    assert "浙江" in tag(html, "standard") or "浙江" in html
    assert f'action="{page_url(item, "injury:save")}"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_case_page_links_the_injury_item_to_its_page(client, firm, item):
    client.force_login(firm.qianqi)
    html = client.get(reverse("claims:case-detail", args=[item.case.case_no])).content.decode()
    assert f'href="{page_url(item)}"' in html


def test_a_vehicle_item_an_unknown_seq_or_another_branch_has_no_injury_page(
    client, firm, case, item
):
    client.force_login(firm.zhangsan)
    vehicle = case.loss_items.get(seq=1)
    assert client.get(page_url(vehicle)).status_code == 404
    assert client.post(page_url(vehicle, "injury:save"), {}).status_code == 404
    assert client.get(reverse("injury:item", args=[case.case_no, 99])).status_code == 404
    client.force_login(firm.wangwu)
    assert client.get(page_url(item)).status_code == 404


# --- saving --------------------------------------------------------------------------------


def test_saving_tv9_with_an_audited_bill_through_the_page(client, firm, case, item):
    client.force_login(firm.zhangsan)
    response = client.post(page_url(item, "injury:save"), form_data(case, person_aged(item, 40)))
    assert response.status_code == 302
    assert response["Location"] == page_url(item)

    assessment = InjuryAssessment.objects.get(loss_item=item)
    # TV-9: 十级 under 60 = 30,971 × 20 × 10% = 61,942.00.
    assert assessment.items["disability_compensation"]["amount"] == "61942.00"
    assert assessment.standard["label"] == "浙江 2012 城镇"
    assert (assessment.claimed_total, assessment.reasonable_total, assessment.deducted_total) == (
        Decimal("1930.00"),
        Decimal("1630.00"),
        Decimal("300.00"),
    )
    assert assessment.items["medical"]["amount"] == "1630.00"
    assert assessment.age == 40 and assessment.assessor == firm.zhangsan

    html = client.get(response["Location"]).content.decode()
    assert "人伤定损已保存" in html and assessment.assessment_no in html
    assert "残疾赔偿金" in html and "61,942.00" in html and "浙江 2012 城镇" in html
    assert f"data-total>{assessment.total:,.2f}</td>" in html
    # The saved assessment comes back into the editor: the bill, its lines and 核减.
    assert 'value="ZJ-0001"' in tag(html, "bills-0-invoice_no")
    assert 'value="1280"' in tag(html, "bills-0-lines-0-claimed")
    assert 'value="non_insured_drug" selected' in html
    assert '<td class="sheet-col-amount text-end" data-deducted>300.00</td>' in html
    assert 'data-total="deducted">300.00</td>' in html
    assert 'value="30971"' in tag(html, "std_urban_disposable_income")
    assert re.search(r'name="standard_mode" value="inline"[^>]* checked>', html)
    assert 'value="10"' in tag(html, "disability_grades")
    # Age and sex read from the ID number.
    assert "性别 男；出险时年龄 40 岁" in html


def test_adding_a_bill_and_lines_keeps_what_was_typed_and_saves_nothing(client, firm, case, item):
    client.force_login(firm.zhangsan)
    data = form_data(case, person_aged(item, 40))
    data["add_lines"] = "0"
    html = client.post(page_url(item, "injury:save"), data).content.decode()
    assert 'value="头孢曲松钠"' in tag(html, "bills-0-lines-0-item")
    tag(html, "bills-0-lines-4-item")  # 2 typed + 3 blank rows
    # The deduction is previewed before saving.
    assert "data-deducted>300.00</td>" in html

    data = form_data(case, person_aged(item, 40))
    data["add_bill"] = "1"
    html = client.post(page_url(item, "injury:save"), data).content.decode()
    tag(html, "bills-1-invoice_no")
    tag(html, "bills-1-lines-2-item")  # the new bill's blank line rows
    assert 'value="李某"' in tag(html, "person-name")
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()


def test_a_wrong_check_digit_is_shown_on_the_id_field_and_nothing_is_saved(
    client, firm, case, item
):
    person = person_aged(item, 40)
    number = person["id_number"]
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    client.force_login(firm.zhangsan)
    events = CaseEvent.objects.count()
    response = client.post(
        page_url(item, "injury:save"), form_data(case, {**person, "id_number": wrong})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert ASSESSMENT_INVALID in html
    assert field_error(html, "person-id_number") == "身份证号码校验位不正确"
    assert "is-invalid" in tag(html, "person-id_number")
    # Everything typed is kept.
    assert f'value="{wrong}"' in tag(html, "person-id_number")
    assert 'value="ZJ-0001"' in tag(html, "bills-0-invoice_no")
    assert 'value="30,971"' in tag(html, "std_urban_disposable_income")
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()
    assert not InjuredPerson.objects.filter(loss_item=item).exists()
    assert CaseEvent.objects.count() == events


def test_bill_and_calculator_errors_land_on_their_inputs(client, firm, case, item):
    lines = [
        {**BILLS[0]["lines"][0], "reasonable": "1300"},  # above the claimed
        {**BILLS[0]["lines"][1], "reasonable": "600"},  # cut without a reason
    ]
    bills = [{**PAGE_BILLS[0], "lines": lines}, {"hospital": "浙一医院", "lines": []}]
    client.force_login(firm.zhangsan)
    response = client.post(
        page_url(item, "injury:save"), form_data(case, person_aged(item, 40), bills=bills)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "bills-0-lines-0-reasonable").startswith("合理金额不能大于申报金额")
    assert field_error(html, "bills-0-lines-1-deduction_reason") == "有核减金额，请选择核减原因"
    assert field_error(html, "bills-1-invoice_no") == "请填写发票号"
    assert "每张票据至少录入一行费用" in html
    assert field_error(html, "bills-0-lines-0-item") == ""
    # The preview shows no negative deduction for the refused row, and 50.00 for the other.
    deducted = re.findall(r"data-deducted>([^<]*)</td>", html)
    assert deducted[:2] == ["", "50.00"]

    # A calculator input the calculator refuses: on its field.
    response = client.post(
        page_url(item, "injury:save"),
        form_data(case, person_aged(item, 40), std_urban_disposable_income=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "std_urban_disposable_income") == "直接填写标准时必填。"
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()


def test_an_invoice_number_billed_on_another_case_is_flagged(client, firm, item):
    saved(firm, item)
    other = firm.assessing_case(injured_persons=1).loss_items.get(kind=LossItemKind.INJURY)
    client.force_login(firm.zhangsan)
    response = client.post(
        page_url(other, "injury:save"), form_data(other.case, person_aged(other, 30))
    )
    assert response.status_code == 302
    html = client.get(page_url(other)).content.decode()
    assert f"票据号 ZJ-0001 另见案件 {item.case.case_no}" in html


# --- personal data -------------------------------------------------------------------------


def test_the_id_number_is_masked_for_a_position_without_the_pii_right(client, firm, case, item):
    saved(firm, item)
    number = InjuredPerson.objects.get(loss_item=item).id_number
    client.force_login(firm.qianqi)  # an assessor: may assess, may not see personal data
    html = client.get(page_url(item)).content.decode()
    assert number not in html
    # Read-only: the saved bill lines are medical data it may not read (test_medical_bills).
    assert f"data-id-number>{mask_id_number(number)}</dd>" in html

    client.force_login(firm.zhangsan)  # a surveyor may see it in full
    assert f'value="{number}"' in tag(
        client.get(page_url(item)).content.decode(), "person-id_number"
    )


# --- conflicts and read-only ---------------------------------------------------------------


def test_the_editor_carries_the_assessments_version_not_the_cases(client, firm, case, item):
    client.force_login(firm.zhangsan)
    form = sheet_form(client.get(page_url(item)).content.decode())
    assert 'name="sheet_version" value="0"' in tag(form, "sheet_version")  # none yet
    assert 'name="version"' not in form
    saved(firm, item)
    saved(firm, item)
    form = sheet_form(client.get(page_url(item)).content.decode())
    assert 'value="2"' in tag(form, "sheet_version")


def test_an_assessment_saved_meanwhile_keeps_the_input_and_names_the_other_edit(
    client, firm, case, item
):
    seen = sheet_version(case)
    client.force_login(firm.zhangsan)
    # 钱七 saves while 张三 still has the page open.
    first = saved(firm, item, actor=firm.qianqi)
    events = CaseEvent.objects.filter(case=case).count()
    data = form_data(case, person_aged(item, 40), version=seen, disability_grades="9")
    response = client.post(page_url(item, "injury:save"), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "人伤定损已被他人修改" in html
    assert "您填写的内容已保留" in html
    assert f"由 钱七 编制，赔偿合计 {first.total:,.2f} 元" in html
    assert 'value="9"' in tag(html, "disability_grades")
    assert 'value="头孢曲松钠"' in tag(html, "bills-0-lines-0-item")
    first.refresh_from_db()
    assert (first.highest_grade, first.version) == (10, 1)
    assert CaseEvent.objects.filter(case=case).count() == events
    # The page now carries the assessment's current version: saving again, knowingly, goes
    # through.
    assert 'value="1"' in tag(sheet_form(html), "sheet_version")
    data = form_data(case, person_aged(item, 40), version=1, disability_grades="9")
    assert client.post(page_url(item, "injury:save"), data).status_code == 302
    first.refresh_from_db()
    assert (first.highest_grade, first.assessor, first.version) == (9, firm.zhangsan, 2)


def test_a_photo_or_a_document_uploaded_meanwhile_does_not_refuse_the_save(
    client, firm, case, item
):
    saved(firm, item)
    client.force_login(firm.zhangsan)
    page = sheet_form(client.get(page_url(item)).content.decode())
    # A photo and a document arrive while the bills are typed: the case version moves, the
    # assessment's does not.
    before = case.version
    add_damage_photo(case, actor=firm.qianqi)
    claims_services.do_add_attachment(
        case, photo("id.jpg"), kind=AttachmentKind.DOCUMENT, doc_type="id_card", actor=firm.qianqi
    )
    case.refresh_from_db()
    assert case.version > before
    # The save posts the versions the page carries, whatever they are.
    data = form_data(case, person_aged(item, 40), disability_grades="9")
    data = {k: v for k, v in data.items() if "version" not in k}
    versions = {k: v for k, v in hidden_inputs(page).items() if "version" in k}
    assert versions  # the page carries one
    response = client.post(page_url(item, "injury:save"), {**data, **versions})
    assert response.status_code == 302
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert (assessment.highest_grade, assessment.version) == (9, 2)


def test_a_page_posting_only_the_case_version_is_checked_against_the_case(client, firm, case, item):
    # An injury page drawn before the assessment had its own version.
    saved(firm, item)
    case.refresh_from_db()
    stale = case.version
    add_damage_photo(case, actor=firm.qianqi)
    client.force_login(firm.zhangsan)
    data = form_data(case, person_aged(item, 40), disability_grades="9")
    del data["sheet_version"]
    response = client.post(page_url(item, "injury:save"), {**data, "version": stale})
    assert response.status_code == 409
    html = response.content.decode()
    assert "案件已被他人修改" in html
    assert 'value="9"' in tag(html, "disability_grades")
    assert 'value="1"' in tag(sheet_form(html), "sheet_version")
    assert InjuryAssessment.objects.get(loss_item=item).highest_grade == 10
    case.refresh_from_db()
    response = client.post(page_url(item, "injury:save"), {**data, "version": case.version})
    assert response.status_code == 302
    assert InjuryAssessment.objects.get(loss_item=item).highest_grade == 9


def test_a_page_without_any_version_or_a_tampered_one_is_a_form_error(client, firm, case, item):
    client.force_login(firm.zhangsan)
    data = form_data(case, person_aged(item, 40))
    del data["sheet_version"]
    response = client.post(page_url(item, "injury:save"), data)
    assert response.status_code == 400
    assert "页面缺少版本号" in response.content.decode()
    response = client.post(page_url(item, "injury:save"), {**data, "sheet_version": "abc"})
    assert response.status_code == 400
    assert "页面版本号无效" in response.content.decode()
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()


def test_read_only_without_the_assess_permission(client, firm, case, item):
    saved(firm, item)
    client.force_login(firm.lisi)  # a reviewer: sees the case, may not assess
    html = client.get(page_url(item)).content.decode()
    assert "没有「定损」权限" in html
    assert 'name="person-name"' not in html
    assert "李某" in html and "61,942.00" in html
    assert "头孢曲松钠" not in html  # a bill line's name is medical data (decision 0026)
    case.refresh_from_db()
    response = client.post(page_url(item, "injury:save"), form_data(case, person_aged(item, 30)))
    assert response.status_code == 403
    assert "未保存" in response.content.decode()
    assert InjuryAssessment.objects.get(loss_item=item).age == 40


def test_read_only_once_the_case_is_in_review(client, firm):
    case = firm.assessed_case(injured_persons=1)
    item = case.loss_items.get(kind=LossItemKind.INJURY)
    assessment = saved(firm, item)
    surveyed(firm, item)
    claims_services.do_submit_for_review(case, actor=firm.zhangsan)
    case.refresh_from_db()
    client.force_login(firm.zhangsan)
    html = client.get(page_url(item)).content.decode()
    assert "待审核" in html and "不能修改" in html
    assert 'name="person-name"' not in html and 'name="bills-0-invoice_no"' not in html
    assert "ZJ-0001" in html and "300.00" in html and "61,942.00" in html
    assert "性别 男；出险时年龄 40 岁" in html

    response = client.post(page_url(item, "injury:save"), form_data(case, person_aged(item, 30)))
    assert response.status_code == 409
    assert "未保存" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.age == 40


def test_the_page_answers_get_only_and_the_save_post_only(client, firm, item):
    client.force_login(firm.qianqi)
    assert client.post(page_url(item), {}).status_code == 405
    assert client.get(page_url(item, "injury:save")).status_code == 405


def test_text_beyond_its_limit_is_refused_on_its_input(client, firm, case, item):
    bills = [{**PAGE_BILLS[0], "lines": [{**BILLS[0]["lines"][1], "item": "查" * 101}]}]
    person = {**person_aged(item, 40), "name": "李" * 51}
    client.force_login(firm.zhangsan)
    response = client.post(page_url(item, "injury:save"), form_data(case, person, bills=bills))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "person-name") == "最多 50 个字。"
    assert field_error(html, "bills-0-lines-0-item") == "最多 100 个字。"
    assert not InjuryAssessment.objects.filter(loss_item=item).exists()


def test_a_standard_from_the_table_is_saved_and_comes_back_selected(client, firm, case, item):
    row = CompensationStandard.objects.filter(province="浙江").order_by("-data_year").first()
    data = form_data(
        case,
        person_aged(item, 40),
        standard_mode="table",
        standard=str(row.pk),
        std_urban_disposable_income="",
        std_label="",
    )
    client.force_login(firm.zhangsan)
    assert client.post(page_url(item, "injury:save"), data).status_code == 302
    assessment = InjuryAssessment.objects.get(loss_item=item)
    assert (assessment.standard["province"], assessment.standard["year"]) == ("浙江", row.data_year)
    html = client.get(page_url(item)).content.decode()
    assert f'<option value="{row.pk}" selected>' in html
    assert re.search(r'name="standard_mode" value="table"[^>]* checked>', html)
