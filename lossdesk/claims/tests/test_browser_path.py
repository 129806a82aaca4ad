"""One motor case from login to close, driven in headless Chromium like a person would."""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Case
from lossdesk.testing import PASSWORD, VALID_VINS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Person:
    """A browser session of one member of the cast."""

    def __init__(self, browser, base_url: str, username: str, problems: list[str]):
        self.base = base_url
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.on("dialog", lambda dialog: dialog.accept())  # "确定出具报告？" etc.
        self.page.on("pageerror", lambda error: problems.append(f"{username}: {error}"))
        self.page.on(
            "console",
            lambda m: problems.append(f"{username}: {m.text}") if m.type == "error" else None,
        )
        self.page.goto(base_url + reverse("login"))
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/cases/")

    def open_case(self, case_no: str) -> None:
        self.page.goto(f"{self.base}/cases/{case_no}/")

    def act(self, key: str) -> None:
        """Press the one-click action button `key` (e.g. case-accept) on the case page."""
        self.page.locator(f"[data-testid=action-{key}] button[type=submit]").click()
        self.page.wait_for_load_state()

    def panel(self, key: str):
        panel = self.page.locator(f"details[data-testid=action-{key}]")
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()
        return panel

    def expect_status(self, label: str) -> None:
        assert label in self.page.locator(".status-badge, .badge").first.inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_motor_case_goes_from_login_to_closed_in_the_browser(live_server, firm, tmp_path):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        # 赵六, dispatcher in 杭州, registers the report and dispatches 张三.
        dispatcher = Person(browser, live_server.url, "zhaoliu", problems)
        page = dispatcher.page
        page.click("text=登记报案")
        page.select_option("#id_client", label=str(firm.client))
        page.fill("#id_client_claim_no", "PICC-E2E-0001")
        page.fill("#id_plate", "浙A8E2E8")
        page.fill("#id_vin", VALID_VINS[0])
        page.fill("#id_reporter_name", "陈先生")
        page.fill("#id_reporter_phone", "13812345678")
        page.fill("#id_accident_time", "2026-01-05T09:30")
        page.fill("#id_reported_at", "2026-01-05T10:00")
        page.fill("#id_accident_place", "杭州市西湖区文三路与学院路交叉口")
        page.fill("#id_description", "追尾前车，前保险杠受损。")
        page.fill("#id_third_party_vehicles", "0")
        page.fill("#id_injured_persons", "0")
        page.click("button[type=submit]:has-text('登记')")
        page.wait_for_url("**/cases/C*/")
        case_no = page.url.rstrip("/").rsplit("/", 1)[-1]
        panel = dispatcher.panel("case-dispatch")
        panel.locator("select[name=surveyor]").select_option(str(firm.zhangsan.pk))
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        dispatcher.expect_status("待接单")

        # 张三, surveyor: accept, arrive, survey with a photo, assess the vehicle, submit.
        surveyor = Person(browser, live_server.url, "zhangsan", problems)
        page = surveyor.page
        surveyor.open_case(case_no)
        surveyor.act("case-accept")
        surveyor.act("case-arrival")
        panel = surveyor.panel("case-survey")
        panel.locator("select[name=scene]").select_option("first")
        panel.locator("select[name=accident_type]").select_option("vehicle_collision")
        panel.locator("select[name=liability]").select_option("full")
        panel.locator("textarea[name=description]").fill("追尾，本车前保险杠破裂。")
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        photo = tmp_path / "front.png"
        _write_photo(photo)
        panel = surveyor.panel("case-upload")
        panel.locator("input[name=files]").set_input_files(str(photo))
        panel.locator("select[name=kind]").select_option("photo")
        panel.locator("select[name=doc_type]").select_option("damage_photo")
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        surveyor.act("case-complete-survey")
        surveyor.expect_status("定损中")
        page.goto(f"{live_server.url}/cases/{case_no}/items/1/sheet/")
        for i, (kind, name, qty, price) in enumerate(
            [
                ("replace", "前保险杠皮", "1", "1280"),
                ("paint", "前保险杠喷漆", "1", "450"),
                ("labour", "拆装工时", "2.5", "80"),
            ]
        ):
            page.select_option(f"[name=lines-{i}-kind]", kind)
            page.fill(f"[name=lines-{i}-name]", name)
            page.fill(f"[name=lines-{i}-quantity]", qty)
            page.fill(f"[name=lines-{i}-unit_price]", price)
        assert page.text_content('[data-total="total"]') == "1,930.00"
        page.click("button[name=save]")
        page.wait_for_url(f"**/cases/{case_no}/")
        surveyor.act("case-submit")
        surveyor.expect_status("待审核")

        # 李四, reviewer: approve, issue the report, close.
        reviewer = Person(browser, live_server.url, "lisi", problems)
        page = reviewer.page
        reviewer.open_case(case_no)
        panel = reviewer.panel("case-review")
        panel.locator("input[name=decision][value=approved]").check()
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        reviewer.expect_status("审核通过")
        reviewer.act("case-issue")
        reviewer.act("case-close")
        reviewer.expect_status("已结案")
        assert "结案" in page.locator("body").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-case-closed.png"), full_page=True)
        browser.close()

    assert problems == []
    case = Case.objects.get(case_no=case_no)
    assert case.status == CaseStatus.CLOSED
    assert str(case.approved_amount) == "1930.00"
    assert case.attachments.count() == 1
    assert case.adjusting_report.file.read(4) == b"%PDF"


def _write_photo(path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (235, 235, 235))
    ImageDraw.Draw(image).rectangle((60, 100, 260, 180), outline=(30, 60, 160), width=6)
    image.save(path)
