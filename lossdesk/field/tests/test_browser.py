"""The phone app in headless Chromium at 390 × 844: every /m/ page fits the screen, and the
offline queue keeps a photo and a survey taken without network across a reload, sends them
once the network is back, and a send repeated after a lost answer stays one attachment."""

import time
from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image

from lossdesk.claims.choices import AttachmentKind
from lossdesk.claims.models import SurveyRecord
from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM
from lossdesk.field.services import do_record_rescue
from lossdesk.field.tests.test_services import rescue_data
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.testing import PASSWORD

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
WIDTH = "document.documentElement.scrollWidth"
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def phone_login(browser, base: str, username: str, problems: list[str]):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"{username}: {error}"))
    page.on(
        "console",
        lambda m: problems.append(f"{username}: {m.text}") if m.type == "error" else None,
    )
    page.goto(f"{base}{reverse('login')}?next={reverse('field:inbox')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return context, page


def wait_until(condition, seconds: float = 15) -> None:
    """Poll from Python: the pages' CSP forbids the eval behind page.wait_for_function."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 200)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_every_phone_page_fits_390_px_without_sideways_scrolling(live_server, firm):
    from playwright.sync_api import sync_playwright

    case = firm.assessed_case(property_loss=True, injured_persons=1)
    do_record_rescue(case, rescue_data(), actor=firm.zhangsan)
    new = firm.registered_case(
        plate="浙A55555", accident_place="杭州市余杭区文一西路与绿汀路交叉口往东二百米处辅路"
    )
    do_dispatch_case(new, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    pages = {
        "inbox": reverse("field:inbox"),
        "case": reverse("field:case", args=[case.case_no]),
        "new-case": reverse("field:case", args=[new.case_no]),
        "decline": reverse("field:m-decline", args=[new.case_no]),
        "photos": reverse("field:photos", args=[case.case_no]),
        "survey": reverse("field:m-survey", args=[case.case_no]),
        "assessment": reverse("field:assessment", args=[case.case_no]),
        "rescue": reverse("field:m-rescue", args=[case.case_no]),
        "documents": reverse("field:m-document-requests", args=[case.case_no]),
        "offline": reverse("field:offline"),
    }
    problems: list[str] = []
    widths = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _, page = phone_login(browser, live_server.url, "zhangsan", problems)
        for name, path in pages.items():
            assert page.goto(live_server.url + path).status == 200, name
            assert page.locator("h1").count() == 1, name
            widths[name] = page.evaluate(WIDTH)
            page.screenshot(path=str(ARTIFACTS / f"field-{name}.png"), full_page=True)
        # The case page at a glance: tap-to-call and the map.
        page.goto(live_server.url + pages["case"])
        assert page.locator("[data-testid=tel]").first.get_attribute("href") == "tel:13812345678"
        assert page.locator("[data-testid=map-geo]").get_attribute("href").startswith("geo:")
        browser.close()
    assert set(widths) == set(pages)
    assert all(width <= 390 for width in widths.values()), widths
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_offline_photo_and_survey_survive_a_reload_and_are_sent_once(live_server, firm, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    case = firm.surveying_case()
    photos_url = live_server.url + reverse("field:photos", args=[case.case_no])
    survey_url = live_server.url + reverse("field:m-survey", args=[case.case_no])
    shot = tmp_path / "front-bumper.jpg"
    shot.write_bytes(jpeg())
    problems: list[str] = []
    uploads: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = phone_login(browser, live_server.url, "zhangsan", problems)
        page.on(
            "request",
            lambda r: (
                uploads.append(r.headers.get("idempotency-key", ""))
                if r.method == "POST" and r.url.endswith("/attachments")
                else None
            ),
        )
        # Online once: the worker takes over and keeps the pages visited.
        page.goto(survey_url)
        wait_until(lambda: page.evaluate(CONTROLLED))
        page.goto(photos_url)
        page.goto(survey_url)
        page.goto(photos_url)

        context.set_offline(True)
        expect(page.locator("[data-net]")).to_have_text("离线")
        page.select_option("#photo-type", "damage_photo")
        page.set_input_files("[data-testid=photo-input]", str(shot))
        queue = page.locator("[data-queue-item]")
        expect(queue).to_have_count(1)
        expect(queue.first).to_have_attribute("data-status", "waiting")

        page.goto(survey_url)  # offline: the kept copy
        page.select_option("select[name=scene]", "first")
        page.select_option("select[name=accident_type]", "vehicle_collision")
        page.select_option("select[name=liability]", "major")
        page.fill("textarea[name=description]", "离线填写：本车前保险杠破裂，三者车尾灯破损。")
        page.click("[data-testid=submit]")
        expect(queue).to_have_count(2)
        expect(page.locator("[data-queued-note]")).to_be_visible()

        page.reload()  # still offline: the queue is read back from IndexedDB
        expect(queue).to_have_count(2)
        expect(page.locator("[data-queue-item][data-status=waiting]")).to_have_count(2)
        page.screenshot(path=str(ARTIFACTS / "field-queue-offline.png"), full_page=True)
        assert uploads == []

        context.set_offline(False)
        expect(page.locator("[data-queue-item][data-status=sent]")).to_have_count(2, timeout=15000)
        page.screenshot(path=str(ARTIFACTS / "field-queue-sent.png"), full_page=True)
        assert len(uploads) == 1

        # The answer to the photo is lost as the page closes mid-send: it is sent again
        # on the next load, under the same key, and the server answers the same attachment.
        page.evaluate(
            """() => FieldQueue.all().then((items) => new Promise((resolve, reject) => {
                const photo = items.find((i) => i.kind === "photo");
                const open = indexedDB.open("lossdesk-field", 1);
                open.onsuccess = () => {
                    const tx = open.result.transaction("queue", "readwrite");
                    tx.objectStore("queue").put(Object.assign(photo, {status: "sending"}));
                    tx.oncomplete = resolve;
                    tx.onerror = reject;
                };
            }))"""
        )
        page.goto(photos_url)
        expect(page.locator("[data-queue-item][data-status=sent]")).to_have_count(2, timeout=15000)
        browser.close()

    assert len(uploads) == 2 and uploads[0] == uploads[1] and len(uploads[0]) == 36
    assert case.attachments.filter(kind=AttachmentKind.PHOTO).count() == 1
    survey = SurveyRecord.objects.get(case=case)
    assert (survey.liability, survey.description) == (
        "major",
        "离线填写：本车前保险杠破裂，三者车尾灯破损。",
    )
    assert problems == []
