"""The case pages and every case action, driven through the Django test client."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from lossdesk.claims import services
from lossdesk.claims.choices import (
    AttachmentKind,
    CaseStatus,
    DocumentType,
    EventType,
)
from lossdesk.claims.models import Attachment, Case, CaseEvent, DocumentRequest
from lossdesk.intake.models import Report
from lossdesk.testing import LINES, photo

pytestmark = pytest.mark.django_db


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(name, kwargs={"case_no": case.case_no, **kwargs})


def post_action(client, name: str, case: Case, data=None, **kwargs):
    """POST an action form with the version the user would have seen."""
    payload = {"version": fresh(case).version, **(data or {})}
    return client.post(url(name, case, **kwargs), payload)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def case_url_patterns() -> list[tuple[str, set[str]]]:
    """Every URL of the claims and intake apps that names a case: (name, its kwargs)."""
    found = []
    resolver = get_resolver()
    for entry in resolver.url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace not in ("claims", "intake"):
            continue
        for pattern in entry.url_patterns:
            if isinstance(pattern, URLPattern) and "case_no" in pattern.pattern.converters:
                name = f"{entry.namespace}:{pattern.name}"
                found.append((name, set(pattern.pattern.converters)))
    return found


@pytest.fixture
def full_case(firm):
    """A 杭州 case with an attachment, a (fulfilled) document request and an issued report,
    so that every case URL has a real object behind it."""
    case = firm.approved_case()
    request = services.do_request_documents(case, items="驾驶证复印件", actor=firm.lisi)
    services.do_fulfil_document_request(request, actor=firm.lisi)
    services.do_issue_report(fresh(case), actor=firm.lisi)
    delegation_of(fresh(case))
    return fresh(case)


def filled_kwargs(case: Case, name: str, params: set[str]) -> dict:
    pk_for = {
        "claims:attachment": lambda: case.attachments.first().pk,
        "claims:attachment-display": lambda: case.attachments.first().pk,
        "claims:attachment-thumbnail": lambda: case.attachments.first().pk,
        "claims:case-fulfil-documents": lambda: case.document_requests.first().pk,
        **{
            f"intake:case-delegation-{verb}": lambda: delegation_of(case).pk
            for verb in ("accept", "refuse", "cancel", "return")
        },
    }
    kwargs = {}
    if "pk" in params:
        assert name in pk_for, f"add {name} to pk_for so its scope is tested"
        kwargs["pk"] = pk_for[name]()
    return kwargs


def delegation_of(case: Case):
    """The case's delegation (to 南京, so no 宁波 user sees the case through it)."""
    from lossdesk.intake.models import Delegation
    from lossdesk.intake.services.delegation import do_request_delegation
    from lossdesk.org.models import Branch, Staff

    delegation = Delegation.objects.filter(case=case).first()
    if delegation is None:
        delegation = do_request_delegation(
            case,
            to_branch=Branch.objects.get(code="nj"),
            actor=Staff.objects.get(username="zhaoliu"),
        )
    return delegation


# --- scope -------------------------------------------------------------------------------


def test_every_case_url_is_404_for_a_user_of_another_branch_on_get_and_post(
    client, firm, full_case
):
    patterns = case_url_patterns()
    names = {name for name, _ in patterns}
    assert {"claims:case-detail", "claims:case-close", "intake:case-dispatch"} <= names
    before = (full_case.version, CaseEvent.objects.count(), Attachment.objects.count())
    client.force_login(firm.wangwu)
    for name, params in patterns:
        target = url(name, full_case, **filled_kwargs(full_case, name, params))
        assert client.get(target).status_code == 404, f"GET {name}"
        assert client.post(target, {"version": full_case.version}).status_code == 404, name
    after = (fresh(full_case).version, CaseEvent.objects.count(), Attachment.objects.count())
    assert after == before


def test_every_case_url_answers_a_user_in_scope(client, firm, full_case):
    client.force_login(firm.zhoujiu)  # branch manager: sees 杭州 and may do most actions
    for name, params in case_url_patterns():
        response = client.get(url(name, full_case, **filled_kwargs(full_case, name, params)))
        assert response.status_code == 200, name


def test_pages_ask_an_anonymous_visitor_to_log_in(client, firm):
    case = firm.registered_case()
    for target in (reverse("claims:case-list"), url("claims:case-detail", case)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_case_number_shows_the_chinese_404_page(client, firm):
    client.force_login(firm.lisi)
    response = client.get("/cases/C000/")
    assert response.status_code == 404
    assert "不在您的数据范围内" in response.content.decode()


def test_an_attachment_of_another_case_is_not_served_through_this_case(client, firm):
    mine, other = firm.assessing_case(), firm.assessing_case()
    client.force_login(firm.lisi)
    foreign = other.attachments.first()
    assert client.get(url("claims:attachment", mine, pk=foreign.pk)).status_code == 404
    assert client.get(url("claims:attachment", other, pk=foreign.pk)).status_code == 200


def test_a_document_request_of_another_case_cannot_be_fulfilled_through_this_case(client, firm):
    mine, other = firm.assessing_case(), firm.assessing_case()
    request = services.do_request_documents(other, items="行驶证", actor=firm.lisi)
    services.do_request_documents(fresh(mine), items="驾驶证", actor=firm.lisi)
    client.force_login(firm.lisi)
    response = post_action(client, "claims:case-fulfil-documents", mine, pk=request.pk)
    assert response.status_code == 404
    assert DocumentRequest.objects.get(pk=request.pk).status == "open"


# --- list --------------------------------------------------------------------------------


def test_a_surveyor_sees_only_own_cases_in_the_list(client, firm):
    own = firm.surveying_case()
    someone_elses = firm.registered_case()
    client.force_login(firm.zhangsan)
    html = client.get(reverse("claims:case-list")).content.decode()
    assert own.case_no in html
    assert someone_elses.case_no not in html


def test_the_list_shows_the_columns_of_a_case(client, firm):
    case = firm.approved_case()
    client.force_login(firm.lisi)
    html = client.get(reverse("claims:case-list")).content.decode()
    row = re.search(rf"<tr>\s*<td[^>]*><a href=\"/cases/{case.case_no}/\".*?</tr>", html, re.S)
    assert row, html
    for text in ("人保财险", "浙A12345", "审核通过", "张三", "杭州分公司", "4,431.00"):
        assert text in row.group(0)


def test_the_list_filters_by_status_and_searches_by_plate(client, firm):
    registered = firm.registered_case(plate="浙A99999")
    surveying = firm.surveying_case()
    client.force_login(firm.zhaoliu)
    html = client.get(reverse("claims:case-list"), {"status": "surveying"}).content.decode()
    assert surveying.case_no in html and registered.case_no not in html
    html = client.get(reverse("claims:case-list"), {"q": "浙a 99999"}).content.decode()
    assert registered.case_no in html and surveying.case_no not in html


def test_the_list_filters_by_accident_and_opening_dates(client, firm):
    old = firm.registered_case(accident_time=timezone.now() - timedelta(days=10))
    new = firm.registered_case()
    client.force_login(firm.zhaoliu)
    # The new case's own accident date: two hours ago is yesterday just after midnight.
    accident_day = timezone.localdate(new.report.accident_time)
    html = client.get(
        reverse("claims:case-list"), {"accident_from": accident_day.isoformat()}
    ).content.decode()
    assert new.case_no in html and old.case_no not in html
    week_ago = (accident_day - timedelta(days=7)).isoformat()
    html = client.get(reverse("claims:case-list"), {"accident_to": week_ago}).content.decode()
    assert old.case_no in html and new.case_no not in html
    html = client.get(reverse("claims:case-list"), {"opened_to": week_ago}).content.decode()
    assert old.case_no not in html and new.case_no not in html


def test_the_branch_filter_offers_only_branches_in_the_users_scope(client, firm):
    client.force_login(firm.zhaoliu)
    response = client.get(reverse("claims:case-list"))
    offered = set(response.context["filterset"].form.fields["branch"].queryset)
    assert offered == {firm.hangzhou}
    client.force_login(firm.zhoujiu)
    response = client.get(reverse("claims:case-list"))
    assert firm.hangzhou in response.context["filterset"].form.fields["branch"].queryset


def test_an_invalid_filter_is_reported_and_ignored_not_a_500(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    response = client.get(
        reverse("claims:case-list"), {"branch": firm.ningbo.pk, "accident_from": "x"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "筛选条件无效" in html and case.case_no in html


def test_the_list_pages_by_25_and_page_links_keep_the_filters(client, firm):
    for _ in range(27):
        firm.registered_case()
    client.force_login(firm.zhaoliu)
    response = client.get(reverse("claims:case-list"), {"status": "registered"})
    assert len(response.context["cases"]) == 25
    html = response.content.decode()
    assert 'href="/cases/?status=registered&amp;page=2"' in html
    second = client.get(reverse("claims:case-list"), {"status": "registered", "page": 2})
    assert len(second.context["cases"]) == 2
    beyond = client.get(reverse("claims:case-list"), {"page": "999"})
    assert beyond.status_code == 200  # a page past the end shows the last page


def test_an_htmx_request_gets_only_the_table(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    response = client.get(reverse("claims:case-list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-table">')
    assert "<html" not in html and case.case_no in html
    assert "HX-Request" in response["Vary"]
    full = client.get(reverse("claims:case-list")).content.decode()
    assert "<html" in full and 'hx-get="/cases/"' in full and 'hx-push-url="true"' in full


def test_the_list_costs_the_same_queries_for_5_and_30_cases(
    client, firm, django_assert_max_num_queries
):
    for _ in range(5):
        firm.surveying_case()
    client.force_login(firm.zhaoliu)
    client.get(reverse("claims:case-list"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("claims:case-list"))
    for _ in range(25):
        firm.surveying_case()
    with django_assert_max_num_queries(len(five)):
        response = client.get(reverse("claims:case-list"))
    assert len(response.context["cases"]) == 25


# --- case page ---------------------------------------------------------------------------


def test_the_case_page_shows_header_report_items_survey_and_timeline(client, firm):
    case = firm.assessed_case()
    client.force_login(firm.zhaoliu)
    html = client.get(url("claims:case-detail", case)).content.decode()
    for text in (
        case.case_no,
        "定损中",
        case.report.client_claim_no,
        "LSVUB6C10K2053790",
        f"版本 {case.version}",
        "本车 浙A12345",
        "2,215.50",
        "第一现场",
        "登记报案",
        "状态：待调度 → 待接单",
        "查勘员：— → 张三",
    ):
        assert text in html, text
    timeline = html[html.index('data-testid="timeline"') :]
    assert timeline.index("保存定损单") < timeline.index("登记报案")  # newest first


def test_vehicle_items_link_to_the_sheet_editor(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.zhangsan)
    html = client.get(url("claims:case-detail", case)).content.decode()
    assert f'href="/cases/{case.case_no}/items/1/sheet/"' in html
    assert f'href="/cases/{case.case_no}/items/2/sheet/"' in html


def test_the_assessor_sees_masked_phones_and_the_dispatcher_the_full_number(client, firm):
    case = firm.registered_case()
    client.force_login(firm.qianqi)
    html = client.get(url("claims:case-detail", case)).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    client.force_login(firm.zhaoliu)
    html = client.get(url("claims:case-detail", case)).content.decode()
    assert "13812345678" in html


def _case_page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("claims:case-detail", case)).status_code == 200
    return len(ctx)


def test_the_case_page_costs_the_same_queries_however_much_the_case_holds(
    client, firm, django_assert_max_num_queries
):
    small = firm.assessed_case()
    big = firm.assessed_case(third_party_vehicles=3, third_party_plates="浙B11111,浙B22222")
    for _ in range(4):
        services.do_add_attachment(
            big,
            photo(),
            kind=AttachmentKind.PHOTO,
            doc_type=DocumentType.DAMAGE_PHOTO,
            actor=firm.zhangsan,
        )
    services.do_request_documents(fresh(big), items="驾驶证", actor=firm.lisi)
    services.do_request_documents(fresh(big), items="行驶证", actor=firm.lisi)
    client.force_login(firm.lisi)
    client.get(url("claims:case-detail", small))  # warm the session and permission caches
    baseline = _case_page_queries(client, small)
    assert big.loss_items.count() > small.loss_items.count()
    assert big.events.count() > small.events.count() + 5
    with django_assert_max_num_queries(baseline):
        client.get(url("claims:case-detail", big))


def test_the_attachment_is_streamed_with_its_type_and_only_to_logged_in_users(client, firm):
    case = firm.assessing_case()
    attachment = case.attachments.get()
    target = url("claims:attachment", case, pk=attachment.pk)
    assert client.get(target).status_code == 302
    client.force_login(firm.zhangsan)
    response = client.get(target)
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_the_report_pdf_is_404_until_the_report_is_issued(client, firm):
    case = firm.approved_case()
    client.force_login(firm.lisi)
    assert client.get(url("claims:report-pdf", case)).status_code == 404


# --- actions -----------------------------------------------------------------------------


def action_keys(html: str) -> set[str]:
    return set(re.findall(r'data-testid="action-([\w-]+)"', html))


def test_action_forms_appear_only_for_available_actions(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.lisi)
    html = client.get(url("claims:case-detail", case)).content.decode()
    assert "case-review" in action_keys(html)
    assert "case-close" not in action_keys(html)
    client.force_login(firm.zhangsan)
    html = client.get(url("claims:case-detail", case)).content.decode()
    assert "case-review" not in action_keys(html)

    registered = firm.registered_case()
    client.force_login(firm.zhaoliu)
    keys = action_keys(client.get(url("claims:case-detail", registered)).content.decode())
    assert {"case-dispatch", "case-cancel"} <= keys
    assert "case-accept" not in keys


def test_an_illegal_action_shows_the_state_and_changes_nothing(client, firm):
    case = firm.assessing_case()
    events = case.events.count()
    client.force_login(firm.lisi)
    response = post_action(client, "claims:case-close", case)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "案件当前状态为「定损中」，不能执行「结案」" in " ".join(messages_of(page))
    after = fresh(case)
    assert (after.status, after.version, after.events.count()) == (
        CaseStatus.ASSESSING,
        case.version,
        events,
    )


def test_a_stale_version_gives_the_conflict_message_and_changes_nothing(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.lisi)
    response = client.post(
        url("claims:case-review", case),
        {"version": case.version - 1, "decision": "approved", "reason": "金额与单证相符"},
    )
    # The review page again (decision 0007, fourth and fifth amendments), not the case page.
    assert response.status_code == 409
    text = " ".join(response.context["form"].non_field_errors())
    assert "案件已被他人修改" in text and "待审核" in text
    assert "金额与单证相符" in response.content.decode()
    assert fresh(case).status == CaseStatus.IN_REVIEW
    assert not case.reviews.exists()


def test_a_missing_version_is_a_form_error_not_a_500(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.lisi)
    response = client.post(url("claims:case-review", case), {"decision": "approved"})
    assert response.status_code == 400
    assert "请刷新后重试" in response.content.decode()
    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_returning_without_a_reason_shows_the_field_error(client, firm):
    case = firm.in_review_case()
    client.force_login(firm.lisi)
    response = post_action(client, "claims:case-review", case, {"decision": "returned"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["退回须填写原因。"]
    assert fresh(case).status == CaseStatus.IN_REVIEW


def test_a_service_field_error_is_shown_on_its_form_field(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.lisi)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = post_action(
        client,
        "claims:case-request-documents",
        case,
        {"items": "驾驶证", "due_date": yesterday},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["due_date"] == ["截止日期不能早于今天。"]
    assert not DocumentRequest.objects.exists()


def test_an_incomplete_survey_cannot_be_completed_and_says_what_is_missing(client, firm):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)
    response = post_action(client, "claims:case-complete-survey", case)
    text = " ".join(messages_of(client.get(response["Location"])))
    assert "尚未填写查勘记录" in text
    assert fresh(case).status == CaseStatus.SURVEYING


def test_a_bad_file_in_an_upload_batch_saves_none_of_the_batch(client, firm):
    case = firm.surveying_case()
    client.force_login(firm.zhangsan)
    response = client.post(
        url("claims:case-upload", case),
        {
            "version": case.version,
            "kind": AttachmentKind.PHOTO,
            "doc_type": DocumentType.SCENE_PHOTO,
            "files": [photo("a.jpg"), SimpleUploadedFile("b.txt", b"not a photo")],
        },
    )
    assert response.status_code == 400
    assert "b.txt" in " ".join(response.context["form"].errors["files"])
    assert not Attachment.objects.exists()
    assert fresh(case).version == case.version


def test_several_files_can_be_uploaded_at_once_for_a_loss_item(client, firm):
    case = firm.surveying_case()
    item = case.loss_items.get(seq=2)
    client.force_login(firm.zhangsan)
    response = client.post(
        url("claims:case-upload", case),
        {
            "version": case.version,
            "kind": AttachmentKind.PHOTO,
            "doc_type": DocumentType.DAMAGE_PHOTO,
            "loss_item": item.pk,
            "files": [photo("a.jpg"), photo("b.jpg")],
        },
    )
    assert response.status_code == 302
    assert list(item.attachments.values_list("original_name", flat=True)) == ["a.jpg", "b.jpg"]


def test_a_case_can_be_cancelled_with_a_reason(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    response = post_action(
        client, "claims:case-cancel", case, {"reason": "duplicate", "note": "重复报案"}
    )
    assert response.status_code == 302
    case = fresh(case)
    assert (case.status, case.cancel_reason) == (CaseStatus.CANCELLED, "duplicate")


def test_cancelling_for_other_reasons_needs_a_note(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    response = post_action(client, "claims:case-cancel", case, {"reason": "other"})
    assert response.status_code == 400
    assert "note" in response.context["form"].errors
    assert fresh(case).status == CaseStatus.REGISTERED


def test_document_requests_pause_the_case_until_fulfilled(client, firm):
    case = firm.assessing_case()
    client.force_login(firm.lisi)
    post_action(client, "claims:case-request-documents", case, {"items": "事故认定书"})
    assert fresh(case).status == CaseStatus.AWAITING_DOCUMENTS
    request = case.document_requests.get()
    html = client.get(url("claims:case-detail", case)).content.decode()
    assert url("claims:case-fulfil-documents", case, pk=request.pk) in html
    response = client.post(
        url("claims:case-fulfil-documents", case, pk=request.pk),
        {f"dr{request.pk}-version": fresh(case).version, f"dr{request.pk}-note": "已收到"},
    )
    assert response.status_code == 302
    assert fresh(case).status == CaseStatus.ASSESSING
    request.refresh_from_db()
    assert (request.status, request.fulfil_note) == ("fulfilled", "已收到")


def sheet_post(case: Case, lines=LINES) -> dict:
    data = {
        "version": fresh(case).version,
        "repair_shop": "",
        "vehicle_model": "大众 朗逸",
        "remarks": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "300",
    }
    for i, line in enumerate(lines):
        for name in ("kind", "name", "part_no", "quantity", "unit_price", "salvage_value"):
            data[f"lines-{i}-{name}"] = line.get(name, "")
        data[f"lines-{i}-remarks"] = ""
    return data


def test_the_whole_path_from_report_to_close_runs_through_the_web_forms(client, firm):
    now = timezone.localtime()
    client.force_login(firm.zhaoliu)
    response = client.post(
        reverse("intake:report-new"),
        {
            "client": firm.client.pk,
            "client_branch": firm.client_branch.pk,
            "client_claim_no": "PICC-WEB-1",
            "plate": "浙A12345",
            "vin": "LSVUB6C10K2053790",
            "reporter_name": "陈先生",
            "reporter_phone": "13812345678",
            "accident_time": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "accident_place": "杭州市西湖区文三路",
            "reported_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "third_party_vehicles": "0",
            "injured_persons": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get(report__client_claim_no="PICC-WEB-1")
    assert response["Location"] == url("claims:case-detail", case)

    def ok(response):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == url("claims:case-detail", case)
        page = client.get(response["Location"])
        assert not [m for m in page.context["messages"] if m.level_tag == "error"]

    ok(post_action(client, "intake:case-dispatch", case, {"surveyor": firm.zhangsan.pk}))
    client.force_login(firm.zhangsan)
    ok(post_action(client, "intake:case-accept", case))
    ok(post_action(client, "intake:case-arrival", case))
    ok(
        post_action(
            client,
            "claims:case-survey",
            case,
            {
                "scene": "first",
                "accident_type": "single_vehicle",
                "liability": "full",
                "weather": "晴",
                "description": "单车撞护栏，前部受损。",
            },
        )
    )
    ok(
        client.post(
            url("claims:case-upload", case),
            {"kind": "photo", "doc_type": "damage_photo", "files": [photo()]},
        )
    )
    ok(post_action(client, "claims:case-complete-survey", case))
    ok(client.post(reverse("motor:sheet-edit", args=[case.case_no, 1]), sheet_post(case)))
    ok(post_action(client, "claims:case-submit", case))
    client.force_login(firm.lisi)
    ok(post_action(client, "claims:case-review", case, {"decision": "approved"}))
    ok(post_action(client, "claims:case-issue", case))
    ok(post_action(client, "claims:case-close", case))

    case = fresh(case)
    assert case.status == CaseStatus.CLOSED
    assert str(case.approved_amount) == "2215.50"
    pdf = client.get(url("claims:report-pdf", case))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    types = list(case.events.order_by("id").values_list("type", flat=True))
    assert types[0] == EventType.REPORT_REGISTERED and types[-1] == EventType.CLOSED
    assert Report.objects.count() == 1
