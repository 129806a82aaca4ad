"""Photos processed in the background (decision 0019): the upload answers once the original,
its EXIF and the row are stored; the watermarked copies, the pHash and the near-duplicate
finding come from claims.tasks.process_image, which is safe to run again and leaves a
visible state and the original when it fails."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.tasks import default_task_backend
from django.test import Client
from django_tasks_db.models import DBTaskResult

from lossdesk.claims import photos, services, tasks
from lossdesk.claims.choices import ImageProcessing, PhotoCheck
from lossdesk.claims.models import Attachment, PhotoHash
from lossdesk.claims.tests.test_photos import (
    WEST_LAKE,
    case_near_west_lake,
    jpeg,
    media_files,
    picture,
    post_photo,
    upload,
)
from lossdesk.testing import API, client_for, error_of

pytestmark = pytest.mark.django_db

DEFERRED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def deferred(settings):
    """A backend that keeps the enqueued tasks and runs none (a worker that has not come
    round yet)."""
    settings.TASKS = DEFERRED
    default_task_backend.clear()
    return default_task_backend


def enqueued(backend) -> list[int]:
    return [r.args[0] for r in backend.results if r.task.name == "process_image"]


def test_the_upload_answers_before_the_copies_and_the_task_makes_them(firm, settings, deferred):
    case = case_near_west_lake(firm)
    taken = case.report.accident_time + timedelta(minutes=20)
    response = post_photo(firm.zhangsan, case, jpeg(3, taken=taken, place=WEST_LAKE), key="k1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["processing"] == "pending"
    assert body["display_url"] is None and body["thumbnail_url"] is None
    assert body["taken_at"] is not None and body["latitude"] == "30.259200"  # EXIF at once
    assert enqueued(deferred) == [body["id"]]
    assert not PhotoHash.objects.exists()
    assert len(media_files(settings)) == 1  # the original only

    assert tasks.process_image.call(body["id"]) == "ready"
    detail = client_for(firm.zhangsan).get(f"{API}/cases/{case.case_no}").json()
    [shown] = detail["attachments"]
    assert shown["processing"] == "ready" and shown["processing_error"] == ""
    assert shown["thumbnail_url"] and shown["display_url"]
    thumb = client_for(firm.zhangsan).get(shown["thumbnail_url"])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert PhotoHash.objects.filter(attachment_id=body["id"]).count() == 1
    assert len(media_files(settings)) == 3


def test_the_findings_from_exif_come_at_once_the_near_duplicate_with_the_task(firm, deferred):
    first, second = firm.surveying_case(), firm.surveying_case()
    tasks.process_image.call(post_photo(firm.zhangsan, first, jpeg(9)).json()["id"])
    early = first.report.accident_time - timedelta(days=2)
    body = post_photo(firm.zhangsan, second, jpeg(9, taken=early)).json()
    codes = [c["code"] for c in body["checks"]]
    assert codes == [PhotoCheck.TAKEN_BEFORE_ACCIDENT, PhotoCheck.NO_LOCATION]
    assert body["duplicate_of"] is None  # not searched yet

    tasks.process_image.call(body["id"])
    attachment = Attachment.objects.get(pk=body["id"])
    assert [c["code"] for c in attachment.checks] == [*codes, PhotoCheck.NEAR_DUPLICATE]
    assert attachment.duplicate_of.case == first


def test_a_replay_while_the_copies_are_pending_answers_the_same_attachment(firm, deferred):
    case = firm.surveying_case()
    content = jpeg(4)
    first = post_photo(firm.zhangsan, case, content, key="same")
    again = post_photo(firm.zhangsan, case, content, key="same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replay"] == "true"
    assert again.json()["id"] == first.json()["id"] and again.json()["processing"] == "pending"
    assert enqueued(deferred) == [first.json()["id"]]  # one task for one photo
    assert Attachment.objects.filter(case=case).count() == 1


def test_running_the_task_again_changes_nothing(firm, settings, deferred):
    case = firm.surveying_case()
    pk = post_photo(firm.zhangsan, case, jpeg(5)).json()["id"]
    assert tasks.process_image.call(pk) == "ready"
    before = Attachment.objects.get(pk=pk)
    files = media_files(settings)
    assert tasks.process_image.call(pk) == "nothing to do"
    after = Attachment.objects.get(pk=pk)
    assert (after.display.name, after.thumbnail.name) == (
        before.display.name,
        before.thumbnail.name,
    )
    assert media_files(settings) == files
    assert tasks.process_image.call(10**9) == "nothing to do"  # a row rolled back meanwhile


def test_a_picture_that_does_not_decode_fails_visibly_and_keeps_the_original(
    firm, settings, deferred, monkeypatch
):
    case = firm.surveying_case()
    content = jpeg(6)
    pk = post_photo(firm.zhangsan, case, content).json()["id"]

    def broken(*args, **kwargs):
        raise OSError("broken data stream")

    monkeypatch.setattr(photos, "prepare_photo", broken)
    assert tasks.process_image.call(pk) == "failed"
    body = client_for(firm.zhangsan).get(f"{API}/cases/{case.case_no}").json()["attachments"][0]
    assert body["processing"] == "failed"
    assert body["processing_error"].startswith("图片不完整或已损坏")
    assert body["thumbnail_url"] is None
    original = client_for(firm.zhangsan).get(body["download_url"])
    assert b"".join(original.streaming_content) == content
    page = Client()
    page.force_login(firm.zhangsan)
    html = page.get(f"/cases/{case.case_no}/").content.decode()
    assert "处理失败" in html and "图片不完整或已损坏" in html


def test_an_unexpected_error_fails_the_task_visibly_and_process_images_tries_again(
    firm, settings, deferred, monkeypatch
):
    case = firm.surveying_case()
    pk = post_photo(firm.zhangsan, case, jpeg(7)).json()["id"]

    def storage_down(*args, **kwargs):
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(services, "make_image_copies", storage_down)
    with pytest.raises(RuntimeError):
        tasks.process_image.call(pk)
    attachment = Attachment.objects.get(pk=pk)
    assert attachment.processing == ImageProcessing.FAILED
    assert "可重试" in attachment.processing_error
    assert media_files(settings)  # the original stays
    monkeypatch.undo()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    call_command("process_images", stdout=StringIO())
    attachment.refresh_from_db()
    assert attachment.processing == ImageProcessing.READY and attachment.thumbnail


def test_the_pages_show_a_placeholder_while_pending_that_asks_again(firm, deferred):
    case = firm.surveying_case()
    pk = post_photo(firm.zhangsan, case, jpeg(8)).json()["id"]
    page = Client()
    page.force_login(firm.zhangsan)
    html = page.get(f"/cases/{case.case_no}/").content.decode()
    assert 'data-testid="photo-processing"' in html
    assert f'hx-select="#attachment-{pk}"' in html
    phone = page.get(f"/m/cases/{case.case_no}/photos/").content.decode()
    assert 'data-testid="photo-processing"' in phone and "data-refresh" in phone

    tasks.process_image.call(pk)
    html = page.get(f"/cases/{case.case_no}/").content.decode()
    assert 'data-testid="photo-processing"' not in html and "hx-select" not in html
    assert f"/cases/{case.case_no}/attachments/{pk}/thumbnail/" in html
    phone = page.get(f"/m/cases/{case.case_no}/photos/").content.decode()
    assert "data-refresh" not in phone


# Committed for real: the worker closes its database connections between tasks.
@pytest.mark.django_db(transaction=True)
def test_the_database_queue_commits_the_task_with_the_row_and_its_worker_runs_it(
    firm, settings, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    case = firm.surveying_case()
    # An upload that fails after its row was written leaves no task behind.
    real = services.record_event

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(services, "record_event", real)
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_event", fail_once)
    with pytest.raises(RuntimeError):
        services.do_add_attachment(
            case,
            upload(jpeg(11)),
            kind="photo",
            doc_type="damage_photo",
            actor=firm.zhangsan,
        )
    ours = DBTaskResult.objects.filter(task_path="lossdesk.claims.tasks.process_image")
    assert not ours.exists() and not Attachment.objects.exists()

    body = post_photo(firm.zhangsan, case, jpeg(12)).json()
    assert body["processing"] == "pending"
    [queued] = ours
    assert queued.args_kwargs == {"args": [body["id"]], "kwargs": {}}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert Attachment.objects.get(pk=body["id"]).processing == ImageProcessing.READY
    assert ours.get().status == "SUCCESSFUL"


def test_without_a_worker_the_inline_backend_still_answers_with_the_copies(firm):
    case = firm.surveying_case()
    body = post_photo(firm.zhangsan, case, jpeg(13, size=(1600, 1200))).json()
    assert body["processing"] == "ready" and body["thumbnail_url"]
    assert PhotoHash.objects.filter(attachment_id=body["id"]).exists()


def test_an_original_the_storage_cannot_give_back_is_a_failure_to_try_again(firm, deferred):
    case = firm.surveying_case()
    pk = post_photo(firm.zhangsan, case, jpeg(14)).json()["id"]
    attachment = Attachment.objects.get(pk=pk)
    attachment.file.storage.delete(attachment.file.name)
    with pytest.raises(FileNotFoundError):
        tasks.process_image.call(pk)
    attachment.refresh_from_db()
    assert attachment.processing == ImageProcessing.FAILED
    assert attachment.processing_error.startswith("处理时出错，可重试")


def _encoded(fmt: str) -> bytes:
    buffer = BytesIO()
    picture(15, (400, 300)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "code"),
    [
        ("JPEG", "damaged_image"),  # by its end marker, without decoding it
        ("PNG", "unsupported_file_type"),  # the sniffer's check of every chunk
        ("WEBP", "unsupported_file_type"),  # the sniffer's RIFF parse
    ],
)
def test_a_picture_cut_short_is_refused_in_the_request(firm, fmt, code, deferred):
    case = firm.surveying_case()
    content = _encoded(fmt)
    response = post_photo(firm.zhangsan, case, content[: len(content) * 2 // 3])
    assert response.status_code == 400
    assert error_of(response)["code"] == code
    assert post_photo(firm.zhangsan, case, content).status_code == 201


def test_a_jpeg_with_data_after_its_end_marker_is_a_whole_photo(firm, deferred):
    """Some phones append their own records after the picture's end-of-image marker."""
    case = firm.surveying_case()
    response = post_photo(firm.zhangsan, case, jpeg(16) + b"SEFH" + bytes(range(256)) * 4)
    assert response.status_code == 201, response.content
    assert tasks.process_image.call(response.json()["id"]) == "ready"
