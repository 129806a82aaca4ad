"""Test helpers every app reuses: a fixed cast in a small firm, and builders that drive a
case through the real services to any state. Imported by conftest.py and the seeders' tests.
It sits above every app, like urls.py, because it drives the services of all of them."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import AttachmentKind, DocumentType, ReviewDecision
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_dispatch_case,
    do_record_arrival,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.motor import services as motor_services
from lossdesk.org.choices import BranchLevel
from lossdesk.org.models import (
    AuthToken,
    Branch,
    Client,
    ClientBranch,
    Position,
    RepairShop,
    Staff,
)

# Satisfies AUTH_PASSWORD_VALIDATORS (three character classes, not like any username).
PASSWORD = "test-pass-123"
VALID_VINS = ("LSVUB6C10K2053790", "LSGKB52H4JV046376", "LRW3E7FAXRC093951")


class Firm:
    """HQ → 浙江分公司 → 杭州 / 宁波, and 江苏分公司 → 南京, with a named cast:
    张三 surveyor, 李四 reviewer, 赵六 dispatcher, 钱七 assessor, 孙八 second reviewer,
    周九 branch manager in 杭州; 王五 surveyor and 吴十 dispatcher in 宁波; the three
    administrators and a finance clerk at HQ."""

    def __init__(self) -> None:
        self.hq = Branch.objects.create(code="hq", name="总部", level=BranchLevel.HQ)
        self.zhejiang = Branch.objects.create(
            code="zj",
            name="浙江分公司",
            level=BranchLevel.PROVINCE,
            parent=self.hq,
            province="浙江",
        )
        self.hangzhou = Branch.objects.create(
            code="hz",
            name="杭州分公司",
            level=BranchLevel.CITY,
            parent=self.zhejiang,
            province="浙江",
            city="杭州",
        )
        self.ningbo = Branch.objects.create(
            code="nb",
            name="宁波分公司",
            level=BranchLevel.CITY,
            parent=self.zhejiang,
            province="浙江",
            city="宁波",
        )
        self.jiangsu = Branch.objects.create(
            code="js",
            name="江苏分公司",
            level=BranchLevel.PROVINCE,
            parent=self.hq,
            province="江苏",
        )
        self.nanjing = Branch.objects.create(
            code="nj",
            name="南京分公司",
            level=BranchLevel.CITY,
            parent=self.jiangsu,
            province="江苏",
            city="南京",
        )
        self.client = Client.objects.create(
            code="picc",
            name="中国人民财产保险股份有限公司",
            short_name="人保财险",
            second_review_threshold=Decimal("50000.00"),
        )
        self.client_branch = ClientBranch.objects.create(
            client=self.client, name="杭州市分公司", province="浙江", city="杭州"
        )
        self.repair_shop = RepairShop.objects.create(
            name="杭州大众4S店", kind="4s", brand="大众", branch=self.hangzhou
        )
        self.zhangsan = self.staff("zhangsan", "张三", "surveyor", self.hangzhou)
        self.lisi = self.staff("lisi", "李四", "reviewer", self.hangzhou)
        self.zhaoliu = self.staff("zhaoliu", "赵六", "dispatcher", self.hangzhou)
        self.qianqi = self.staff("qianqi", "钱七", "assessor", self.hangzhou)
        self.sunba = self.staff("sunba", "孙八", "reviewer", self.hangzhou)
        self.zhoujiu = self.staff("zhoujiu", "周九", "branch_manager", self.hangzhou)
        self.wangwu = self.staff("wangwu", "王五", "surveyor", self.ningbo)
        self.wushi = self.staff("wushi", "吴十", "dispatcher", self.ningbo)
        self.sysadmin = self.staff("sysadmin", "系统管理员", "system_admin", self.hq, is_staff=True)
        self.secadmin = self.staff(
            "secadmin", "安全管理员", "security_admin", self.hq, is_staff=True
        )
        self.auditor = self.staff("auditor", "审计员", "auditor", self.hq, is_staff=True)
        self.finance = self.staff("finance", "财务", "finance", self.hq)

    @staticmethod
    def staff(username, full_name, position, branch, **extra) -> Staff:
        user = Staff(
            username=username,
            full_name=full_name,
            branch=branch,
            position=Position.objects.get(code=position),
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
        return user

    def report_data(self, **overrides) -> dict:
        now = timezone.now()
        data = {
            "client": self.client,
            "client_branch": self.client_branch,
            "client_claim_no": overrides.pop("client_claim_no", f"PICC{now:%H%M%S%f}"),
            "policy_no_ctpl": "PDZA202633010000001234",
            "policy_no_commercial": "PDAA202633010000005678",
            "plate": "浙A12345",
            "vin": VALID_VINS[0],
            "reporter_name": "陈先生",
            "reporter_phone": "13812345678",
            "driver_name": "陈先生",
            "driver_phone": "13812345678",
            "accident_time": now - timedelta(hours=2),
            "accident_place": "杭州市西湖区文三路与学院路交叉口",
            "description": "追尾前车，前保险杠受损。",
            "reported_at": now - timedelta(hours=1),
            "third_party_vehicles": 1,
            "third_party_plates": "浙B54321",
            "property_loss": False,
            "injured_persons": 0,
        }
        data.update(overrides)
        return data

    # Builders: each returns the case in the named state, reached through the services.
    def registered_case(self, **overrides):
        return do_register_report(self.report_data(**overrides), actor=self.zhaoliu)

    def surveying_case(self, **overrides):
        case = self.registered_case(**overrides)
        do_dispatch_case(case, surveyor=self.zhangsan, actor=self.zhaoliu)
        do_accept_dispatch(case, actor=self.zhangsan)
        do_record_arrival(case, actor=self.zhangsan)
        case.refresh_from_db()
        return case

    def assessing_case(self, **overrides):
        case = self.surveying_case(**overrides)
        claims_services.do_save_survey(case, SURVEY, actor=self.zhangsan)
        add_damage_photo(case, actor=self.zhangsan)
        claims_services.do_complete_survey(case, actor=self.zhangsan)
        case.refresh_from_db()
        return case

    def assessed_case(self, lines=None, **overrides):
        case = self.assessing_case(**overrides)
        for item in case.loss_items.all():
            if item.is_vehicle:
                motor_services.do_save_assessment_sheet(
                    item,
                    lines=lines or LINES,
                    repair_shop=self.repair_shop,
                    actor=self.zhangsan,
                )
        case.refresh_from_db()
        return case

    def in_review_case(self, **kwargs):
        case = self.assessed_case(**kwargs)
        claims_services.do_submit_for_review(case, actor=self.zhangsan)
        case.refresh_from_db()
        return case

    def approved_case(self, **kwargs):
        case = self.in_review_case(**kwargs)
        claims_services.do_review_case(case, decision=ReviewDecision.APPROVED, actor=self.lisi)
        case.refresh_from_db()
        return case

    def issued_case(self, **kwargs):
        case = self.approved_case(**kwargs)
        claims_services.do_issue_report(case, actor=self.lisi)
        case.refresh_from_db()
        return case

    def closed_case(self, **kwargs):
        case = self.issued_case(**kwargs)
        claims_services.do_close_case(case, actor=self.lisi)
        case.refresh_from_db()
        return case


def api_token(user: Staff) -> str:
    """A fresh API token for `user`, as one login gets (without the password round-trip)."""
    return AuthToken.objects.create(user=user, password_hash=user.get_session_auth_hash())[1]


SURVEY = {
    "scene": "first",
    "accident_type": "vehicle_collision",
    "liability": "full",
    "weather": "晴",
    "description": "两车追尾，本车前部受损，三者车后保险杠受损，无人伤。",
}

LINES = [
    {
        "kind": "replace",
        "name": "前保险杠皮",
        "part_no": "5G0807221",
        "quantity": "1",
        "unit_price": "1280.00",
        "salvage_value": "50.00",
    },
    {"kind": "repair", "name": "前纵梁校正", "quantity": "1", "unit_price": "300"},
    {"kind": "paint", "name": "前保险杠喷漆", "quantity": "1", "unit_price": "450"},
    {"kind": "labour", "name": "拆装工时", "quantity": "2.5", "unit_price": "80"},
    {"kind": "materials", "name": "辅料", "quantity": "1", "unit_price": "35.5"},
]
# 1280 + 300 + 450 + 200 + 35.50 − 50 salvage
LINES_TOTAL = Decimal("2215.50")


def photo(name: str = "damage.jpg", size=(64, 48), color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def add_damage_photo(case, *, actor):
    """A damage photo uploaded to `case` (it moves the case's version, not a sheet's)."""
    return claims_services.do_add_attachment(
        case, photo(), kind=AttachmentKind.PHOTO, doc_type=DocumentType.DAMAGE_PHOTO, actor=actor
    )


# API tests: a DRF client that sends a staff member's Bearer token, and the error body.
API = "/api/v1"


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    return client


def error_of(response) -> dict:
    """The {"code", "message", "fields"} body of an error response (asserts its shape)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), error
    assert isinstance(error["message"], str) and error["message"]
    return error


# --- the sheet editors' pages, read as the browser would post them ----------------------


def tag(html: str, name: str) -> str:
    """The <input>/<select>/<textarea> tag of the form field `name` in the page."""
    match = re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no field {name} in the page"
    return match.group(0)


def sheet_form(html: str) -> str:
    """A sheet editor's <form> in the page (other forms on it carry the case version)."""
    start = html.index("data-sheet-form")
    return html[start : html.index("</form>", start)]


def changed_meanwhile(firm, case) -> int:
    """The version the user's page carried, then a colleague's photo moves the case on."""
    case.refresh_from_db()
    seen = case.version
    add_damage_photo(case, actor=firm.zhaoliu)
    case.refresh_from_db()
    assert case.version != seen
    return seen


def refused_with_input(response, status: int, *texts: str) -> str:
    """A refused post's page: `status`, with each of `texts` (the message, what was typed)."""
    assert response.status_code == status
    html = response.content.decode()
    for text in texts:
        assert text in html
    return html


def resend(client, path: str, html: str, typed: dict):
    """The second, deliberate send: what the page carries (the hidden version) and the input."""
    return client.post(path, {**typed, **hidden_inputs(html)})


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden inputs' names and values in `html`, as the browser would post them."""
    tags = re.findall(r'<input type="hidden"[^>]*>', html)
    fields = (re.search(r'name="([^"]+)"', t) for t in tags)
    values = (re.search(r'value="([^"]*)"', t) for t in tags)
    return {f.group(1): v.group(1) if v else "" for f, v in zip(fields, values, strict=True)}
