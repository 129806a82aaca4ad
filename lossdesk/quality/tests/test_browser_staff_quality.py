"""Staff quality in headless Chromium: a reviewer registers a misconduct entry on the page
and confirms it; the person's points pass 15 and the consequences — for the person and for
the supervisor — are on the person's page, under the strict CSP without a console error."""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from lossdesk.testing import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("LOSSDESK_TEST_ARTIFACTS", Path(__file__).parents[3] / "var"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_misconduct_entry_moves_a_person_past_15_points_and_the_consequence_shows(
    live_server, firm
):
    from playwright.sync_api import sync_playwright

    from lossdesk.quality.staff import services
    from lossdesk.quality.staff.models import MisconductItem, PointThreshold

    # A transactional test may start after a flush that removed the seeded scale.
    since = date(2026, 1, 1)
    grave, _ = MisconductItem.objects.get_or_create(
        code="S05",
        effective_from=since,
        defaults={
            "post": "surveyor",
            "title": "与修理厂串通虚增损失或虚构案情",
            "severity": "grave",
            "min_points": 5,
            "max_points": 10,
        },
    )
    for subject, consequence in (("person", "建议解除代理合同"), ("supervisor", "扣发管理津贴15%")):
        PointThreshold.objects.get_or_create(
            points=15, subject=subject, consequence=consequence, effective_from=since
        )
    earlier = services.do_register_misconduct(
        {
            "person": firm.zhangsan.pk,
            "item": grave.pk,
            "points": 8,
            "occurred_on": timezone.localdate(),
            "description": "虚增定损金额。",
        },
        actor=firm.lisi,
    )
    services.do_finalize_misconduct(earlier, actor=firm.zhoujiu)

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", firm.lisi.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")

        with page.expect_navigation():
            page.click("nav >> text=品质管理")
        with page.expect_navigation():
            page.click("text=登记违规")
        page.select_option("select[name=person]", str(firm.zhangsan.pk))
        page.select_option("select[name=item]", str(grave.pk))
        page.fill("input[name=points]", "12")  # outside 5–10: refused, naming the field
        page.fill("textarea[name=description]", "收受修理厂红包，要求提高定损金额。")
        with page.expect_navigation():
            page.click("[data-testid=misconduct-form] button[type=submit]")
        assert "扣分须在 5 到 10 分之间" in page.content()
        # The refusal is a 400 page, which the console reports; nothing else went wrong.
        assert problems == [
            "Failed to load resource: the server responded with a status of 400 (Bad Request)"
        ]
        problems.clear()
        page.fill("input[name=points]", "7")
        with page.expect_navigation():
            page.click("[data-testid=misconduct-form] button[type=submit]")
        assert page.locator("[data-testid=misconduct-status]").inner_text() == "已登记"
        with page.expect_navigation():
            page.click("[data-testid=finalize]")
        assert page.locator("[data-testid=misconduct-status]").inner_text() == "已生效"

        with page.expect_navigation():
            page.click("dd >> text=张三")
        assert page.locator("[data-testid=running-points]").inner_text() == "15"
        consequences = page.locator("[data-testid=consequences]").inner_text()
        assert "建议解除代理合同" in consequences
        assert "直接主管周九 — 扣发管理津贴15%" in consequences
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff-quality-person.png"), full_page=True)
        browser.close()
    assert problems == []
