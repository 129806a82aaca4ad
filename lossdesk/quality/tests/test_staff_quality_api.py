"""Staff quality through the API and the pages: the register and its steps end to end, the
person's page with the consequence, another branch's records a 404, the committee's Excel
books with their content."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as PageClient
from django.utils import timezone
from openpyxl import load_workbook

from lossdesk.quality.staff import periods
from lossdesk.quality.staff import services as staff
from lossdesk.quality.staff.models import MisconductItem, MisconductRecord
from lossdesk.testing import API, client_for, error_of, photo

pytestmark = pytest.mark.django_db


def item_pk(code: str) -> int:
    return MisconductItem.objects.get(code=code).pk


def entry(firm, code="S05", points=8, **extra) -> dict:
    return {
        "person": firm.zhangsan.pk,
        "item": item_pk(code),
        "points": points,
        "occurred_on": timezone.localdate().isoformat(),
        "description": "与修理厂串通虚增损失。",
        **extra,
    }


def page_client(user) -> PageClient:
    client = PageClient()
    client.force_login(user)
    return client


def test_an_entry_moves_through_the_api_to_the_consequence(firm):
    lisi, zhangsan, zhoujiu = (client_for(p) for p in (firm.lisi, firm.zhangsan, firm.zhoujiu))
    response = lisi.post(f"{API}/quality/misconduct", entry(firm, points=11), format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {
        "points": ["扣分须在 5 到 10 分之间（该项目的扣分标准）。"]
    }
    first = lisi.post(f"{API}/quality/misconduct", entry(firm, points=9), format="json").json()
    assert (first["status"], first["points"], first["item"]["code"]) == ("registered", 9, "S05")
    pk = first["id"]
    body = {"reason": "报价经审核同意。"}
    assert zhangsan.post(f"{API}/quality/misconduct/{pk}/appeal", body).status_code == 200
    # The registrar may not decide (and has no right); the committee member does.
    response = lisi.post(
        f"{API}/quality/misconduct/{pk}/decision", {"decision": "upheld", "reason": "x"}
    )
    assert response.status_code == 403
    response = zhoujiu.post(
        f"{API}/quality/misconduct/{pk}/decision",
        {"decision": "reduced", "reason": "情节较轻", "points": 8},
    )
    assert (response.json()["status"], response.json()["final_points"]) == ("reduced", 8)
    assert lisi.post(f"{API}/quality/misconduct/{pk}/finalize").json()["status"] == "final"
    second = lisi.post(f"{API}/quality/misconduct", entry(firm, "S06", 7), format="json").json()
    lisi.post(f"{API}/quality/misconduct/{second['id']}/finalize")

    person = zhoujiu.get(f"{API}/quality/people/{firm.zhangsan.pk}").json()
    assert person["points"] == 15
    assert {c["consequence"] for c in person["consequences"]} == {
        "建议解除代理合同",
        "通报批评",
        "延长考核期",
        "扣发管理津贴15%",
    }
    assert [e["kind"] for e in person["credit"]] == ["violation", "violation"]
    # The person sees their own record, and only their own entries.
    own = zhangsan.get(f"{API}/quality/people/{firm.zhangsan.pk}").json()
    assert own["points"] == 15
    assert zhangsan.get(f"{API}/quality/people/{firm.lisi.pk}").status_code == 404
    assert zhangsan.get(f"{API}/quality/misconduct").json()["count"] == 2


def test_a_step_out_of_order_is_409_with_the_current_state(firm):
    record = staff.do_register_misconduct(entry(firm), actor=firm.lisi)
    response = client_for(firm.zhoujiu).post(
        f"{API}/quality/misconduct/{record.pk}/decision", {"decision": "upheld", "reason": "x"}
    )
    assert response.status_code == 409
    assert error_of(response)["current_state"] == "registered"
    response = client_for(firm.zhaoliu).post(
        f"{API}/quality/misconduct/{record.pk}/reply", {"reply": "x"}
    )
    assert response.status_code == 404  # not in a dispatcher's sight at all


def test_evidence_through_the_api_is_sniffed(firm):
    response = client_for(firm.lisi).post(
        f"{API}/quality/misconduct",
        {**entry(firm), "evidence": [photo("现场.jpg")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["evidence"][0]["content_type"] == "image/jpeg"
    pk = response.json()["id"]
    fake = SimpleUploadedFile("a.pdf", b"<html>", "application/pdf")
    response = client_for(firm.lisi).post(
        f"{API}/quality/misconduct/{pk}/evidence", {"evidence": [fake]}, format="multipart"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "unsupported_file_type"


def test_another_branch_sees_none_of_hangzhou_s_records(firm):
    record = staff.do_register_misconduct(entry(firm), actor=firm.lisi)
    ningbo = firm.staff("nb_manager", "宁波经理", "branch_manager", firm.ningbo)
    api = client_for(ningbo)
    assert api.get(f"{API}/quality/misconduct/{record.pk}").status_code == 404
    assert api.get(f"{API}/quality/misconduct").json()["count"] == 0
    assert api.get(f"{API}/quality/people/{firm.zhangsan.pk}").status_code == 404
    assert page_client(ningbo).get(f"/quality/misconduct/{record.pk}/").status_code == 404
    assert client_for(firm.zhoujiu).get(f"{API}/quality/misconduct").json()["count"] == 1


def test_complaints_and_reports_through_the_api(firm):
    case = firm.registered_case()
    dispatcher = client_for(firm.zhaoliu)
    response = dispatcher.post(
        f"{API}/quality/complaints",
        {
            "source": "insurer",
            "complainant": "人保杭州理赔部",
            "case_no": case.case_no,
            "staff": firm.zhangsan.pk,
            "summary": "查勘员到场超时两小时。",
        },
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client_for(firm.zhoujiu).post(
        f"{API}/quality/complaints/{pk}/conclude",
        {"outcome": "substantiated", "conclusion": "属实", "item": item_pk("S01"), "points": 2},
    )
    assert response.json()["status"] == "substantiated"
    assert MisconductRecord.objects.get(pk=response.json()["misconduct"]).points == 2
    manager = client_for(firm.zhoujiu)
    report = manager.post(
        f"{API}/quality/whistleblower-reports", {"subject": firm.zhangsan.pk, "content": "收红包"}
    ).json()
    response = manager.post(
        f"{API}/quality/whistleblower-reports/{report['id']}/decide",
        {"outcome": "rewarded", "reason": "查实", "reward": "abc"},
    )
    assert error_of(response)["fields"] == {"reward": ["请输入数字。"]}
    response = manager.post(
        f"{API}/quality/whistleblower-reports/{report['id']}/decide",
        {"outcome": "rewarded", "reason": "查实", "reward": "800"},
    )
    assert response.json()["reward"] == "800.00"


def test_the_monthly_register_and_quarterly_report_in_excel(firm):
    first = staff.do_register_misconduct(entry(firm, "S05", 8), actor=firm.lisi)
    staff.do_finalize_misconduct(first, actor=firm.zhoujiu)
    second = staff.do_register_misconduct(entry(firm, "S06", 7), actor=firm.lisi)
    staff.do_finalize_misconduct(second, actor=firm.zhoujiu)
    today = timezone.localdate()
    client = page_client(firm.zhoujiu)

    response = client.get("/quality/misconduct/", {"month": f"{today:%Y-%m}"})
    book = load_workbook(BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["张三", "张三"]
    assert [(r[4], r[7], r[8], r[9]) for r in rows] == [
        ("与修理厂串通虚增损失或虚构案情", 8, 8, "已生效"),
        ("索取、收受客户或修理厂财物", 7, 7, "已生效"),
    ]

    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    response = client.get("/quality/misconduct/", {"quarter": quarter})
    book = load_workbook(BytesIO(response.content))
    people, items, consequences = book.worksheets
    rows = list(people.iter_rows(min_row=2, values_only=True))
    assert rows[0][1:3] == ("张三", "查勘员")
    assert [r[3:] for r in rows] == [(2, 15, 0, 0), (2, 15, 0, 0)]  # the person, the total
    assert rows[-1][0] == "合计"
    assert [r[0] for r in items.iter_rows(min_row=2, values_only=True)] == ["S05", "S06"]
    assert sorted(r[5] for r in consequences.iter_rows(min_row=2, values_only=True)) == [
        "延长考核期",
        "建议解除代理合同",
        "扣发管理津贴15%",
        "通报批评",
    ]
    assert client.get("/quality/misconduct/", {"quarter": "2026Q5"}).status_code == 400


def test_the_pages_register_appeal_and_show_the_consequence(firm):
    registrar = page_client(firm.lisi)
    response = registrar.post("/quality/misconduct/new/", entry(firm, points=3))
    assert response.status_code == 400
    assert "扣分须在 5 到 10 分之间" in response.content.decode()
    response = registrar.post("/quality/misconduct/new/", entry(firm, points=10))
    record = MisconductRecord.objects.get()
    assert response.url == f"/quality/misconduct/{record.pk}/"
    page_client(firm.zhangsan).post(response.url, {"step": "reply", "reply": "我认可。"})
    assert MisconductRecord.objects.get().status == "replied"
    registrar.post(response.url, {"step": "finalize"})
    staff.do_finalize_misconduct(
        staff.do_register_misconduct(entry(firm, "S06", 5), actor=firm.lisi), actor=firm.lisi
    )
    page = page_client(firm.zhangsan).get("/quality/my-record/").content.decode()
    assert "建议解除代理合同" in page and "扣发管理津贴15%" in page
    period = periods.period_of(timezone.localdate())
    assert f"本考核期（{period}）累计扣分" in page


def test_the_supervisor_evaluates_and_awards_through_the_api(firm):
    period = periods.period_of(timezone.localdate())
    manager = client_for(firm.zhoujiu)
    url = f"{API}/quality/people/{firm.qianqi.pk}"
    response = manager.post(
        f"{url}/evaluations", {"period": period, "result": "excellent", "comment": "无违规"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["result"], response.json()["points"]) == ("excellent", 0)
    again = manager.post(
        f"{url}/evaluations", {"period": period, "result": "qualified", "comment": "x"}
    )
    assert (again.status_code, error_of(again)["code"]) == (409, "evaluation_exists")
    award = manager.post(f"{url}/awards", {"title": "服务之星", "reason": "回访满意率高"})
    assert award.status_code == 201
    person = manager.get(url).json()
    assert [e["period"] for e in person["evaluations"]] == [period]
    assert [(c["kind"], c["title"]) for c in person["credit"]] == [("award", "服务之星")]
    # A reviewer registers but neither evaluates nor awards.
    refused = client_for(firm.lisi).post(f"{url}/awards", {"title": "x", "reason": "y"})
    assert refused.status_code == 403


def test_a_complaint_is_received_and_concluded_on_the_pages(firm):
    dispatcher = page_client(firm.zhaoliu)
    response = dispatcher.post(
        "/quality/complaints/",
        {
            "source": "customer",
            "complainant": "赵女士",
            "staff": firm.zhangsan.pk,
            "summary": "态度差",
        },
    )
    complaint_url = response.url
    assert dispatcher.get(complaint_url).status_code == 200
    manager = page_client(firm.zhoujiu)
    refused = manager.post(complaint_url, {"outcome": "substantiated", "conclusion": ""})
    assert refused.status_code == 400
    manager.post(complaint_url, {"outcome": "unsubstantiated", "conclusion": "录音显示态度正常。"})
    page = manager.get(complaint_url).content.decode()
    assert "投诉不属实" in page and "录音显示态度正常。" in page
