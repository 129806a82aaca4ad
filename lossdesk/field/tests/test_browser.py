"""The phone app in headless Chromium at 390 × 844: every /m/ page fits the screen, and a
case goes from dispatch to survey complete on the phone with a stretch offline: the offline
queue keeps a photo and a survey across a reload, sends them once the network is back, and a
send repeated after a lost answer stays one attachment; a re-survey recorded with no signal
is sent when it returns and listed on the case page; a queued survey the case's state
refuses (409) is still shown, from the queue, on its page."""

import re
import threading
import time
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from lossdesk.claims.choices import AttachmentKind, CaseStatus, ImageProcessing
from lossdesk.claims.models import Resurvey, SurveyRecord
from lossdesk.claims.tests.test_browser_path import ARGS, ARTIFACTS, CHROMIUM
from lossdesk.field.services import do_record_rescue
from lossdesk.field.tests.test_services import rescue_data
from lossdesk.intake.services.dispatch import do_dispatch_case
from lossdesk.parts.testing import Catalogue
from lossdesk.testing import PASSWORD

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
WIDTH = "document.documentElement.scrollWidth"
BAD_REQUEST = "the server responded with a status of 400 (Bad Request)"
SURVEYED = "离线填写：本车前保险杠破裂，三者车尾灯破损。"
CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def phone_login(browser, base: str, username: str, problems: list[str], **options):
    context = browser.new_context(**PHONE, **options)
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


def wait_until(condition, seconds: float = 60) -> None:
    """Poll from Python: the pages' CSP forbids the eval behind page.wait_for_function."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def unfold_top_bar(page) -> None:
    """The desktop's top bar is folded at 390 px: tap its toggler until Bootstrap has
    unfolded it. Under a loaded test run a tap could be lost (the logout that followed then
    waited out its 30 s), so the state is checked, not assumed."""
    from playwright.sync_api import expect

    toggler = page.locator(".navbar-toggler")
    for _ in range(5):
        if toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        try:
            expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bshow\b"), timeout=3000)
            return
        except AssertionError:
            continue
    raise AssertionError("the top bar did not unfold")


def jpeg() -> bytes:
    """A camera photo: taken a minute ago by a phone (EXIF)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    exif[ExifTags.Base.Model] = "P60"
    taken = f"{timezone.localtime() - timedelta(minutes=1):%Y:%m:%d %H:%M:%S}"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 200)).save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_every_phone_page_fits_390_px_without_sideways_scrolling(live_server, firm):
    from playwright.sync_api import expect, sync_playwright

    Catalogue()  # the parts the price search finds
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
        "resurvey": reverse("field:m-resurvey", args=[case.case_no]),
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
        # The parts price search on the assessment page (parts' API).
        page.goto(live_server.url + pages["assessment"])
        page.fill("[data-testid=parts-q]", "前杠")
        page.click("[data-parts-form] button")
        hits = page.locator("[data-testid=part-hit]")
        expect(hits.first).to_contain_text("前保险杠")

        # A queued form the server refuses is 失败 with its Chinese reason, and stays.
        page.goto(live_server.url + pages["rescue"])
        page.select_option("select[name=type]", "tow")
        page.fill("input[name=firm]", "杭州畅通道路救援有限公司")
        page.click("[data-testid=submit]")
        failed = page.locator("[data-queue-item][data-status=failed]")
        expect(failed).to_have_count(1, timeout=20000)
        assert "该字段是必填项" in failed.inner_text()
        assert failed.locator("button").inner_text() == "重试"
        # The refusal is a 400, which the browser logs; nothing else went wrong.
        assert problems == [f"zhangsan: Failed to load resource: {BAD_REQUEST}"]
        problems.clear()
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
def test_from_dispatch_to_survey_complete_on_the_phone_with_an_offline_stretch(
    live_server, firm, tmp_path
):
    """Accept and arrive (with the phone's position), go offline, take a photo and fill the
    survey, reload, come back online: both are sent once; a send repeated after a lost
    answer stays one attachment; then complete the survey."""
    from playwright.sync_api import expect, sync_playwright

    case = firm.registered_case()
    do_dispatch_case(case, surveyor=firm.zhangsan, actor=firm.zhaoliu)
    case_url = live_server.url + reverse("field:case", args=[case.case_no])
    photos_url = live_server.url + reverse("field:photos", args=[case.case_no])
    survey_url = live_server.url + reverse("field:m-survey", args=[case.case_no])
    shot = tmp_path / "front-bumper.jpg"
    shot.write_bytes(jpeg())
    problems: list[str] = []
    uploads: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = phone_login(
            browser,
            live_server.url,
            "zhangsan",
            problems,
            permissions=["geolocation"],
            geolocation={"latitude": 30.274084, "longitude": 120.15507},
        )
        page.on(
            "request",
            lambda r: (
                uploads.append(r.headers.get("idempotency-key", ""))
                if r.method == "POST" and r.url.endswith("/attachments")
                else None
            ),
        )
        # The inbox: the new dispatch; accept it and arrive, one tap each.
        with page.expect_navigation():
            page.click("[data-testid=dispatch]")
        with page.expect_navigation():
            page.click("[data-testid=m-accept]")
        expect(page.locator("[data-testid=status]")).to_have_text("查勘中")
        with page.expect_navigation():
            page.click("[data-testid=m-arrival]")
        expect(page.locator("[data-testid=message]")).to_have_text("已记录到达现场时间和位置。")

        # Online once: the worker takes over and keeps the pages visited.
        page.goto(survey_url)
        wait_until(lambda: page.evaluate(CONTROLLED))
        for url in (case_url, photos_url, survey_url, photos_url):
            page.goto(url)

        context.set_offline(True)
        expect(page.locator("[data-net]")).to_have_text("离线")
        page.select_option("#photo-type", "damage_photo")
        page.select_option("#photo-item", "1")
        page.set_input_files("[data-testid=photo-input]", str(shot))
        queue = page.locator("[data-queue-item]")
        expect(queue).to_have_count(1)
        expect(queue.first).to_have_attribute("data-status", "waiting")

        page.goto(survey_url)  # offline: the kept copy
        page.select_option("select[name=scene]", "first")
        page.select_option("select[name=accident_type]", "vehicle_collision")
        page.select_option("select[name=liability]", "major")
        page.fill("textarea[name=description]", SURVEYED)
        page.click("[data-testid=submit]")
        expect(queue).to_have_count(2)
        expect(page.locator("[data-queued-note]")).to_be_visible()

        page.reload()  # still offline: the queue is read back from IndexedDB
        expect(page.locator("[data-queue-item][data-status=waiting]")).to_have_count(2)
        expect(page.locator("textarea[name=description]")).to_have_value(SURVEYED)
        page.screenshot(path=str(ARTIFACTS / "field-queue-offline.png"), full_page=True)
        assert uploads == []

        context.set_offline(False)
        expect(page.locator("[data-queue-item][data-status=sent]")).to_have_count(2, timeout=20000)
        page.screenshot(path=str(ARTIFACTS / "field-queue-sent.png"), full_page=True)
        assert len(uploads) == 1

        # The answer to the photo is lost as the page closes mid-send: it goes again on the
        # next load under the same key, and the server answers the attachment it has.
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
        expect(page.locator("[data-queue-item][data-status=sent]")).to_have_count(2, timeout=20000)
        assert len(uploads) == 2

        page.goto(case_url)
        with page.expect_navigation():
            page.click("[data-testid=m-complete-survey]")
        expect(page.locator("[data-testid=status]")).to_have_text("定损中")
        page.screenshot(path=str(ARTIFACTS / "field-survey-complete.png"), full_page=True)

        # Logging out forgets the pages kept on the phone (they show cases and phones).
        assert page.evaluate('() => caches.has("field-pages")')
        page.goto(live_server.url + reverse("field:inbox"))
        # The worker keeps the inbox after answering it: log out once it has.
        page.wait_for_function(
            '() => caches.open("field-pages").then(c => c.match(location.href)).then(Boolean)'
        )
        with page.expect_navigation():
            page.click("form[data-logout] button")
        assert page.url.endswith(reverse("login"))
        assert not page.evaluate('() => caches.has("field-pages")')
        browser.close()

    assert uploads[0] == uploads[1] and len(uploads[0]) == 36
    photos = list(case.attachments.filter(kind=AttachmentKind.PHOTO))
    assert len(photos) == 1
    stored = photos[0]
    assert (stored.idempotency_key, stored.loss_item.seq) == (uploads[0], 1)
    assert stored.taken_at is not None and stored.display.name and stored.thumbnail.name
    survey = SurveyRecord.objects.get(case=case)
    assert (survey.liability, survey.description) == ("major", SURVEYED)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSING
    firm.zhangsan.refresh_from_db()
    assert (str(firm.zhangsan.last_lat), str(firm.zhangsan.last_lng)) == ("30.274084", "120.155070")
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_photo_shows_processing_until_the_worker_has_made_its_copies(
    live_server, firm, settings, tmp_path, monkeypatch
):
    """With a task queue (decision 0020) the upload answers before the watermarked copies
    exist: the phone lists the photo as 处理中 and shows its thumbnail once the worker ran,
    without a reload."""
    from playwright.sync_api import expect, sync_playwright

    from lossdesk.claims.tasks import process_image

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    case = firm.surveying_case()
    shot = tmp_path / "damage.jpg"
    shot.write_bytes(jpeg())
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _, page = phone_login(browser, live_server.url, "zhangsan", problems)
        page.goto(live_server.url + reverse("field:photos", args=[case.case_no]))
        page.set_input_files("[data-testid=photo-input]", str(shot))
        # The queue sends it and the list takes itself from the page: 处理中, no thumbnail.
        uploaded = page.locator("[data-testid=uploaded]")
        expect(uploaded.locator("[data-testid=photo-processing]")).to_have_count(1, timeout=20000)
        assert uploaded.locator("img").count() == 0
        # The worker comes round (on the test's own connection; Playwright's loop runs in
        # this thread). The row says what is waiting: the backend's record of the enqueued
        # task is the live server thread's own instance, not this thread's.
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        photo = case.attachments.get(kind=AttachmentKind.PHOTO)
        assert photo.processing == ImageProcessing.PENDING
        assert process_image.call(photo.pk) == "ready"
        expect(uploaded.locator("img")).to_have_count(1, timeout=20000)
        assert uploaded.locator("[data-testid=photo-processing]").count() == 0
        assert (
            page.evaluate("() => document.querySelector('[data-testid=uploaded] img').naturalWidth")
            > 0
        )
        assert page.evaluate(WIDTH) <= 390
        page.screenshot(path=str(ARTIFACTS / "field-photo-processed.png"), full_page=True)
        browser.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_logout_on_the_desktop_forgets_the_kept_pages_but_not_the_queue(live_server, firm):
    """The case page kept for offline use is served offline while the session lasts and
    younger than a day; after a logout from the desktop's top bar it is not (the offline
    page is), and the offline queue is still there."""
    from playwright.sync_api import expect, sync_playwright

    case = firm.surveying_case()
    case_url = live_server.url + reverse("field:case", args=[case.case_no])
    kept = "(url) => caches.open('field-pages').then((c) => c.match(url)).then(Boolean)"
    # A failed entry stays in the queue until the surveyor retries it; nothing sends it.
    queue_entry = """(item) => new Promise((resolve, reject) => {
        const open = indexedDB.open("lossdesk-field", 1);
        open.onupgradeneeded = () => open.result.createObjectStore("queue", {keyPath: "id"});
        open.onsuccess = () => {
            const tx = open.result.transaction("queue", "readwrite");
            const store = tx.objectStore("queue");
            const done = (r) => { r.onsuccess = () => resolve(r.result); r.onerror = reject; };
            done(item ? store.put(item) : store.count());
        };
        open.onerror = reject;
    })"""
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = phone_login(browser, live_server.url, "zhangsan", problems)
        wait_until(lambda: page.evaluate(CONTROLLED))
        page.goto(case_url)
        wait_until(lambda: page.evaluate(kept, case_url))
        page.evaluate(
            queue_entry,
            {"id": "kept-entry", "seq": 1, "status": "failed", "kind": "form", "label": "救援"},
        )

        # Kept and fresh: served offline.
        context.set_offline(True)
        page.goto(case_url)
        expect(page.locator("[data-testid=status]")).to_have_text("查勘中")
        # Kept more than a day ago: not served, and dropped.
        page.evaluate(
            """(url) => caches.open("field-pages").then(async (cache) => {
                const old = await cache.match(url);
                const headers = new Headers(old.headers);
                headers.set("X-Kept-At", String(Date.now() - 25 * 3600 * 1000));
                await cache.put(url, new Response(await old.blob(), {headers}));
            })""",
            case_url,
        )
        page.goto(case_url)
        expect(page.locator("h1")).to_have_text("暂无网络")
        assert not page.evaluate(kept, case_url)

        context.set_offline(False)
        page.goto(case_url)
        wait_until(lambda: page.evaluate(kept, case_url))
        # The desktop: its top bar's 退出 ends the session outside the worker's scope.
        page.goto(live_server.url + reverse("claims:case-list"))
        unfold_top_bar(page)
        with page.expect_navigation():
            page.click(f"nav form[action='{reverse('logout')}'] button")
        assert page.url.endswith(reverse("login"))
        wait_until(lambda: not page.evaluate("() => caches.has('field-pages')"))
        assert page.evaluate(queue_entry, None) == 1

        context.set_offline(True)
        page.goto(case_url)
        expect(page.locator("h1")).to_have_text("暂无网络")
        assert case.case_no not in page.content() and "张三" not in page.content()
        page.screenshot(path=str(ARTIFACTS / "field-after-logout-offline.png"), full_page=True)
        browser.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_the_queue_sends_with_the_current_csrf_token_not_the_pages(live_server, firm):
    """A page kept on the phone holds the CSRF token of the session it was made in (the
    offline page is kept when the worker is installed), and a login since has changed it.
    The queue sends with the token in Django's cookie, so what it sends is not refused."""
    from playwright.sync_api import expect, sync_playwright

    case = firm.surveying_case()
    survey_url = live_server.url + reverse("field:m-survey", args=[case.case_no])
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _context, page = phone_login(browser, live_server.url, "zhangsan", problems)
        page.goto(survey_url)
        page.evaluate(
            """() => { document.querySelector("meta[name=csrf-token]").content =
                "a-token-of-an-earlier-session-000000000000000000000000000000000"; }"""
        )
        page.select_option("select[name=scene]", "first")
        page.select_option("select[name=accident_type]", "vehicle_collision")
        page.select_option("select[name=liability]", "major")
        page.fill("textarea[name=description]", SURVEYED)
        page.click("[data-testid=submit]")
        sent = page.locator("[data-queue-item][data-status=sent]")
        expect(sent).to_have_count(1, timeout=20000)
        browser.close()
    assert SurveyRecord.objects.get(case=case).description == SURVEYED
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_re_survey_recorded_without_signal_is_sent_when_it_returns_and_listed(
    live_server, firm, tmp_path
):
    """The surveyor back at the repair shop (a basement garage): 记录复勘 from the case
    page, the arrival time at now; a time in the future is refused beside the field; then,
    with no signal, the visit waits in the queue and is sent once the network is back; the
    case page lists it. The browser runs in UTC: the time starts at now in Beijing time."""
    from playwright.sync_api import expect, sync_playwright

    with time_machine.travel(timezone.now() - timedelta(days=1)):  # surveyed yesterday
        case = firm.assessed_case()
    case_url = live_server.url + reverse("field:case", args=[case.case_no])
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = phone_login(
            browser, live_server.url, "zhangsan", problems, timezone_id="UTC"
        )
        page.goto(case_url)
        with page.expect_navigation():
            page.click("[data-testid=m-resurvey]")
        expect(page.locator("h1")).to_have_text("记录复勘")
        arrived = page.locator("input[name=arrived_at]")
        now = timezone.localtime()
        assert arrived.input_value() in {
            f"{now - timedelta(minutes=1):%Y-%m-%dT%H:%M}",
            f"{now:%Y-%m-%dT%H:%M}",
            f"{now + timedelta(minutes=1):%Y-%m-%dT%H:%M}",
        }
        page.select_option("select[name=reason]", "hidden_damage")
        page.fill("textarea[name=note]", "拆检后见水箱框架变形")

        # A time in the future: the server's refusal, beside the field; the input stays.
        later = f"{now + timedelta(hours=2):%Y-%m-%dT%H:%M}"
        arrived.fill(later)
        page.click("[data-testid=submit]")
        error = page.locator("[data-queue-error]")
        expect(error).to_have_text("到达时间不能晚于现在。", timeout=20000)
        expect(arrived).to_have_class(re.compile(r"\bis-invalid\b"))
        expect(arrived).to_have_value(later)
        page.screenshot(path=str(tmp_path / "field-resurvey-refused.png"), full_page=True)
        assert problems == [f"zhangsan: Failed to load resource: {BAD_REQUEST}"]
        problems.clear()

        # No signal: it waits in the queue; the signal returns: it is sent.
        context.set_offline(True)
        expect(page.locator("[data-net]")).to_have_text("离线")
        went = f"{now - timedelta(minutes=20):%Y-%m-%dT%H:%M}"
        arrived.fill(went)
        page.click("[data-testid=submit]")
        expect(error).to_have_count(0)
        expect(page.locator("[data-queue-item][data-status=waiting]")).to_have_count(1)
        expect(page.locator("[data-queued-note]")).to_be_visible()
        page.screenshot(path=str(tmp_path / "field-resurvey-queued.png"), full_page=True)
        context.set_offline(False)
        expect(page.locator("[data-queue-item][data-status=sent]")).to_have_count(1, timeout=20000)

        # Opened again, the form starts afresh: the refusal was answered by the later send.
        page.reload()
        expect(error).to_have_count(0)
        assert arrived.input_value() != later

        page.goto(case_url)
        listed = page.locator("[data-testid=resurvey]")
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text(f"{now - timedelta(minutes=20):%m-%d %H:%M} 拆检复勘")
        width = page.evaluate(WIDTH)
        page.screenshot(path=str(tmp_path / "field-resurvey-listed.png"), full_page=True)
        browser.close()

    assert width <= 390
    resurvey = Resurvey.objects.get(case=case)
    assert (resurvey.surveyor, resurvey.recorded_by) == (firm.zhangsan, firm.zhangsan)
    assert f"{timezone.localtime(resurvey.arrived_at):%Y-%m-%dT%H:%M}" == went
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/bootstrap.sh)")
def test_a_queued_survey_refused_by_the_cases_state_keeps_what_was_typed(live_server, firm):
    """The dispatcher cancels the case while the surveyor types the survey: the queue's send
    is refused (409, 失败 with the reason), and the survey page, which no longer offers the
    form, still shows the record typed, from the queue, to copy (decision 0007, fifth
    amendment)."""
    from playwright.sync_api import expect, sync_playwright

    from lossdesk.claims.services import do_cancel_case

    case = firm.surveying_case()
    survey_url = live_server.url + reverse("field:m-survey", args=[case.case_no])
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _, page = phone_login(browser, live_server.url, "zhangsan", problems)
        page.goto(survey_url)
        page.select_option("select[name=scene]", "first")
        page.select_option("select[name=accident_type]", "vehicle_collision")
        page.select_option("select[name=liability]", "major")
        page.fill("textarea[name=description]", SURVEYED)
        # Meanwhile, at the desk (from a thread: Playwright's loop runs in this one).
        cancelling = threading.Thread(
            target=do_cancel_case,
            args=(case,),
            kwargs={"reason": "customer_withdrew", "actor": firm.zhaoliu},
        )
        cancelling.start()
        cancelling.join()
        page.click("[data-testid=submit]")
        failed = page.locator("[data-queue-item][data-status=failed]")
        expect(failed).to_have_count(1, timeout=20000)
        assert "已注销" in failed.inner_text()

        page.reload()
        expect(page.locator(".alert-warning")).to_contain_text("当前状态（已注销）下不能")
        expect(page.locator("textarea[name=description]")).to_be_visible()
        expect(page.locator("textarea[name=description]")).to_have_value(SURVEYED)
        expect(page.locator("[data-unsent-note]")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "field-queue-refused.png"), full_page=True)
        browser.close()
    assert not SurveyRecord.objects.filter(case=case).exists()
    assert problems == [
        "zhangsan: Failed to load resource: the server responded with a status of 409 (Conflict)"
    ]
