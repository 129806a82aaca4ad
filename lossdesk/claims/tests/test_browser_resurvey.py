"""The re-survey (复勘) on the case page, in headless Chromium: the assessor opens the panel,
names the colleague who went, the time and the reason, and the list shows the visit."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from lossdesk.claims.models import Resurvey
from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM, Person
from lossdesk.testing import Firm


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_assessor_records_a_re_survey_on_the_case_page(live_server, firm):
    from playwright.sync_api import sync_playwright

    with time_machine.travel(timezone.now() - timedelta(days=1)):
        case = firm.assessed_case()
    colleague = Firm.staff("zhouyi", "周一", "surveyor", firm.hangzhou)
    arrived = timezone.localtime() - timedelta(hours=2)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        assessor = Person(browser, live_server.url, "qianqi", problems)
        page = assessor.page
        assessor.open_case(case.case_no)
        assert "暂无复勘记录。" in page.locator("[data-testid=resurveys]").inner_text()
        panel = assessor.panel("case-resurvey")
        surveyor = panel.locator("select[name=surveyor]")
        assert surveyor.input_value() == str(firm.zhangsan.pk)  # the case's surveyor
        surveyor.select_option(str(colleague.pk))
        panel.locator("input[name=arrived_at]").fill(f"{arrived:%Y-%m-%dT%H:%M}")
        panel.locator("select[name=reason]").select_option("hidden_damage")
        panel.locator("textarea[name=note]").fill("拆检后见右前纵梁变形")
        panel.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "已记录 周一 的复勘（拆检复勘）。" in page.locator("body").inner_text()
        row = page.locator("[data-testid=resurvey]")
        assert row.count() == 1
        text = row.inner_text()
        for shown in (f"{arrived:%Y-%m-%d %H:%M}", "周一", "拆检复勘", "拆检后见右前纵梁变形"):
            assert shown in text
        assert "记录复勘" in page.locator("[data-testid=timeline]").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "case-resurvey.png"), full_page=True)
        browser.close()

    assert problems == []
    resurvey = Resurvey.objects.get(case=case)
    assert (resurvey.surveyor, resurvey.recorded_by) == (colleague, firm.qianqi)
    case.refresh_from_db()
    assert case.status == "assessing"
