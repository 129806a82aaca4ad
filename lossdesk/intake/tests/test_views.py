"""Report registration, dispatch, accept and arrival through the web forms; the shared page
frame (navbar, login, error pages)."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Case
from lossdesk.intake.choices import DispatchStatus
from lossdesk.intake.models import Report
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.org.models import ClientBranch
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def report_post(firm, **overrides) -> dict:
    now = timezone.now()
    data = {
        "client": firm.client.pk,
        "client_branch": firm.client_branch.pk,
        "client_claim_no": "PICC2026-0001",
        "policy_no_ctpl": "PDZA202633010000001234",
        "policy_no_commercial": "",
        "plate": "浙A12345",
        "vin": "LSVUB6C10K2053790",
        "reporter_name": "陈先生",
        "reporter_phone": "13812345678",
        "driver_name": "",
        "driver_phone": "",
        "accident_time": local(now - timedelta(hours=2)),
        "accident_place": "杭州市西湖区文三路与学院路交叉口",
        "description": "追尾前车。",
        "reported_at": local(now - timedelta(hours=1)),
        "third_party_vehicles": "1",
        "third_party_plates": "浙B54321",
        "injured_persons": "0",
    }
    data.update(overrides)
    return data


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- report registration -----------------------------------------------------------------


def test_the_dispatcher_registers_a_report_and_lands_on_its_case(client, firm):
    client.force_login(firm.zhaoliu)
    assert client.get(reverse("intake:report-new")).status_code == 200
    response = client.post(reverse("intake:report-new"), report_post(firm), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == reverse("claims:case-detail", args=[case.case_no])
    assert f"案件号 {case.case_no}" in response.content.decode()
    assert (case.branch, case.report.created_by) == (firm.hangzhou, firm.zhaoliu)
    assert list(case.loss_items.values_list("label", flat=True)) == [
        "本车 浙A12345",
        "三者车1 浙B54321",
    ]


def test_typed_plates_and_phones_are_normalised_before_they_are_checked(client, firm):
    client.force_login(firm.zhaoliu)
    data = report_post(
        firm,
        plate="浙a 12345",
        reporter_phone="138 1234 5678",
        vin="lsvub6c10k2053790",
        third_party_plates="浙b54321",
    )
    response = client.post(reverse("intake:report-new"), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.plate, report.reporter_phone, report.vin, report.third_party_plates) == (
        "浙A12345",
        "13812345678",
        "LSVUB6C10K2053790",
        "浙B54321",
    )


def future(**kw):
    return local(timezone.now() + timedelta(**kw))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"plate": "浙12345"}, "plate", "车牌号格式不正确"),
        ({"vin": "LSVUB6C11K2053790"}, "vin", "VIN 校验位错误"),
        ({"reporter_phone": "12345"}, "reporter_phone", "电话号码不正确"),
        ({"accident_time": future(hours=3)}, "accident_time", "出险时间不能晚于当前时间"),
        ({"reported_at": future(hours=3)}, "reported_at", "报案时间不能晚于当前时间"),
        ({"third_party_plates": "浙B54321,浙C11111"}, "third_party_plates", "车牌数多于"),
        ({"third_party_plates": "浙B1"}, "third_party_plates", "浙B1：车牌号格式不正确"),
        ({"client_claim_no": ""}, "client_claim_no", "该字段是必填项"),
    ],
)
def test_bad_report_input_is_shown_on_its_field_and_saves_nothing(
    client, firm, overrides, field, message
):
    client.force_login(firm.zhaoliu)
    response = client.post(reverse("intake:report-new"), report_post(firm, **overrides))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert "is-invalid" in response.content.decode()
    assert Report.objects.count() == 0 and Case.objects.count() == 0


def test_an_accident_after_the_report_time_is_refused(client, firm):
    client.force_login(firm.zhaoliu)
    now = timezone.now()
    data = report_post(
        firm,
        accident_time=local(now - timedelta(minutes=10)),
        reported_at=local(now - timedelta(hours=1)),
    )
    response = client.post(reverse("intake:report-new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["accident_time"] == ["出险时间不能晚于报案时间。"]
    assert Report.objects.count() == 0


def test_a_duplicate_client_claim_number_is_refused_on_its_field(client, firm):
    firm.registered_case(client_claim_no="PICC2026-0001")
    client.force_login(firm.zhaoliu)
    response = client.post(reverse("intake:report-new"), report_post(firm))
    assert response.status_code == 400
    assert "已登记过报案" in response.context["form"].errors["client_claim_no"][0]
    assert Report.objects.count() == 1


def test_a_client_branch_of_another_client_is_refused(client, firm):
    other = firm.client.__class__.objects.create(code="cpic", name="太平洋财险", short_name="太保")
    foreign = ClientBranch.objects.create(client=other, name="宁波中心支公司")
    client.force_login(firm.zhaoliu)
    response = client.post(
        reverse("intake:report-new"), report_post(firm, client_branch=foreign.pk)
    )
    assert response.status_code == 400
    assert "client_branch" in response.context["form"].errors
    assert Report.objects.count() == 0


def test_the_client_branch_options_follow_the_chosen_client(client, firm):
    ClientBranch.objects.create(client=firm.client, name="宁波市分公司")
    client.force_login(firm.zhaoliu)
    html = client.get(reverse("intake:client-branches"), {"client": firm.client.pk}).content
    assert "杭州市分公司" in html.decode() and "宁波市分公司" in html.decode()
    html = client.get(reverse("intake:client-branches"), {"client": "x"}).content.decode()
    assert "杭州市分公司" not in html


def test_a_position_without_report_registration_gets_403(client, firm):
    client.force_login(firm.zhangsan)
    response = client.get(reverse("intake:report-new"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert client.post(reverse("intake:report-new"), report_post(firm)).status_code == 403
    assert Report.objects.count() == 0


# --- dispatch, accept, arrival -----------------------------------------------------------


def test_dispatch_accept_and_arrival_run_through_their_forms(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    response = client.post(
        reverse("intake:case-dispatch", args=[case.case_no]),
        {"version": case.version, "surveyor": firm.zhangsan.pk, "note": "尽快到场"},
    )
    assert response.status_code == 302
    case = fresh(case)
    assert (case.status, case.surveyor) == (CaseStatus.DISPATCHED, firm.zhangsan)

    client.force_login(firm.zhangsan)
    html = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="action-case-accept"' in html
    client.post(reverse("intake:case-accept", args=[case.case_no]), {"version": case.version})
    case = fresh(case)
    client.post(reverse("intake:case-arrival", args=[case.case_no]), {"version": case.version})
    dispatch = case.dispatches.get()
    assert dispatch.status == DispatchStatus.ARRIVED and dispatch.arrived_at is not None
    assert fresh(case).status == CaseStatus.SURVEYING
    html = client.get(reverse("claims:case-detail", args=[case.case_no])).content.decode()
    assert 'data-testid="action-case-arrival"' not in html  # arrival is recorded once


def test_a_surveyor_of_another_branch_is_not_offered_and_not_accepted(client, firm):
    case = firm.registered_case()
    client.force_login(firm.zhaoliu)
    page = client.get(reverse("intake:case-dispatch", args=[case.case_no]))
    assert firm.wangwu not in page.context["form"].fields["surveyor"].queryset
    response = client.post(
        reverse("intake:case-dispatch", args=[case.case_no]),
        {"version": case.version, "surveyor": firm.wangwu.pk},
    )
    assert response.status_code == 400
    assert "surveyor" in response.context["form"].errors
    assert fresh(case).status == CaseStatus.REGISTERED


def test_only_the_dispatched_surveyor_may_accept(client, firm):
    case = firm.registered_case()
    other = firm.staff("laoliu", "老刘", "surveyor", firm.hangzhou)
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    case = fresh(case)
    client.force_login(other)
    # 老刘 cannot even see the case: his scope is his own cases.
    response = client.post(
        reverse("intake:case-accept", args=[case.case_no]), {"version": case.version}
    )
    assert response.status_code == 404
    client.force_login(firm.zhoujiu)
    response = client.post(
        reverse("intake:case-accept", args=[case.case_no]), {"version": case.version}
    )
    assert response.status_code == 302
    assert fresh(case).status == CaseStatus.DISPATCHED


# --- frame -------------------------------------------------------------------------------


def test_the_navbar_shows_the_user_position_branch_and_allowed_links(client, firm):
    client.force_login(firm.zhaoliu)
    html = client.get(reverse("claims:case-list")).content.decode()
    for text in ("LossDesk", "赵六", "调度员", "杭州分公司", 'href="/reports/new/"', "退出"):
        assert text in html
    assert "管理后台" not in html
    assert '<form method="post" action="/logout/"' in html
    client.force_login(firm.zhangsan)
    assert 'href="/reports/new/"' not in client.get(reverse("claims:case-list")).content.decode()
    client.force_login(firm.sysadmin)
    assert "管理后台" in client.get(reverse("claims:case-list")).content.decode()


def test_pages_load_htmx_with_its_inline_styles_off_and_no_inline_script(client, firm):
    client.force_login(firm.zhaoliu)
    html = client.get(reverse("intake:report-new")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in html
    assert "vendor/htmx-2.0.11.min.js" in html
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_login_and_logout_work_through_the_forms(client, firm):
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    bad = client.post(reverse("login"), {"username": "zhaoliu", "password": "wrong"})
    assert "用户名或密码不正确" in bad.content.decode()
    good = client.post(reverse("login"), {"username": "zhaoliu", "password": PASSWORD})
    assert good.status_code == 302
    assert client.get(reverse("claims:case-list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("claims:case-list")).status_code == 302


def test_the_500_page_is_friendly_and_has_no_trace():
    html = render_to_string("500.html")
    assert "系统错误" in html and "Traceback" not in html
