"""`manage.py bench_photos [--hashes N]` (PostgreSQL): the near-duplicate look-up over N
stored photo hashes and the upload throughput of phone photos through the API; one JSON line
(issue 13, docs/benchmarks.md).

1. Seeding: tops the bench's hash rows up to N by binary COPY (rows of `PhotoHash` alone,
   ids from BENCH_BASE up, with the foreign-key trigger off for the load: there are no
   attachments behind them), the band indexes dropped for the load and built after it,
   then VACUUM ANALYZE (the search's index-only scans need the visibility map). Kept for the
   next run; `--reset` removes them.
2. Look-up: `photos.near_hashes` (what an upload runs; half the queries a stored hash with
   up to 6 bits flipped, half random) timed in Python, beside the same SQL bare on a cursor
   (its statements captured and replayed, rows fetched), and a full scan computing the
   distance of every row in SQL (what the indexes save; a few samples only).
3. Uploads: `--workers` gunicorn processes serve the app on a local port; `--clients`
   threads each POST `--uploads / clients` JPEGs of about `--size-kb` KB (different
   pictures, with EXIF) to their own case with an Idempotency-Key, as a surveyor's phone
   does. With `--tasks queue` (the default) the app enqueues each photo's copies and hash
   on the database queue (django-tasks-db) and one `db_worker` process drains it beside
   the app: the accept rate is 201 answers per second of wall time, the drain rate the
   photos made ready per second from the first upload until the queue is empty. With
   `--tasks inline` the copies are made in the request (before decision 0019): one rate."""

import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta

import numpy as np
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import ExifTags, Image

from lossdesk.claims import photos
from lossdesk.claims.choices import CaseStatus, ImageProcessing
from lossdesk.claims.models import Attachment, Case, PhotoHash
from lossdesk.core.numbering import next_numbers
from lossdesk.org.models import AuthToken, Branch, Client, Position, Staff

BENCH_BASE = 1 << 40  # bench hash rows' ids: far above any attachment's
CHUNK = 1_000_000
TABLE = PhotoHash._meta.db_table
WORKER_OPTIONS = ("--no-startup-delay", "--no-reload", "--interval", "0.2")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(ms: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(ms, 0.5), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "samples": len(ms),
    }


class Command(BaseCommand):
    help = "Time the photo near-duplicate look-up and API uploads; print one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--hashes", type=int, default=10_000_000)
        parser.add_argument("--lookups", type=int, default=400)
        parser.add_argument("--scans", type=int, default=3, help="full-scan samples")
        parser.add_argument("--uploads", type=int, default=400)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
        parser.add_argument("--size-kb", type=int, default=500)
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
        parser.add_argument(
            "--drain-after",
            action="store_true",
            help="start the task worker only when the uploads are done (each rate alone)",
        )
        parser.add_argument(
            "--tasks",
            choices=["queue", "inline"],
            default="queue",
            help="copies and hash on the database queue with a worker, or in the request",
        )
        parser.add_argument("--skip-uploads", action="store_true")
        parser.add_argument("--skip-lookups", action="store_true")
        parser.add_argument("--reset", action="store_true", help="remove the bench's hashes")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_photos 需要 PostgreSQL（DATABASE_URL）。")
        if options["reset"]:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE attachment_id >= %s", [BENCH_BASE])
            return
        result = {
            "bench": "photos",
            "at": timezone.now().isoformat(timespec="seconds"),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
            "load_before": [round(x, 2) for x in os.getloadavg()],
        }
        result["seed"] = self.seed(options["hashes"])
        if not options["skip_lookups"]:
            result["lookup"] = self.lookups(options["lookups"], options["scans"])
        if not options["skip_uploads"]:
            result["upload"] = self.uploads(options)
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # ----------------------------------------------------------------------- seeding

    def seed(self, target: int) -> dict:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), coalesce(max(attachment_id), %s - 1) FROM {TABLE} "
                "WHERE attachment_id >= %s",
                [BENCH_BASE, BENCH_BASE],
            )
            have, last = cursor.fetchone()
        missing = target - have
        info = {"rows": max(have, target), "added": max(0, missing)}
        if missing <= 0:
            return info
        started = time.perf_counter()
        indexes = PhotoHash._meta.indexes
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.remove_index(PhotoHash, index)
        rng = np.random.default_rng(have)
        raw = connection.connection
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK trigger
            try:
                first = last + 1
                while missing > 0:
                    n = min(CHUNK, missing)
                    self.copy_chunk(raw, first, rng.integers(-(2**63), 2**63 - 1, n, np.int64))
                    first, missing = first + n, missing - n
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        loaded = time.perf_counter()
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.add_index(PhotoHash, index)
        indexed = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {TABLE}")
        info.update(
            copy_s=round(loaded - started, 1),
            index_s=round(indexed - loaded, 1),
            vacuum_s=round(time.perf_counter() - indexed, 1),
            rows_per_s=round(info["added"] / (loaded - started)),
        )
        return info

    @staticmethod
    def copy_chunk(raw, first_id: int, hashes: np.ndarray) -> None:
        """COPY … FROM STDIN (FORMAT binary): one tuple is a field count and, per field, a
        length and the big-endian value; built for the whole chunk at once with numpy."""
        n = len(hashes)
        bands = hashes.astype("<i8").view("<i2").reshape(n, 4)  # band0 = the low 16 bits
        row = np.dtype(
            [("fields", ">i2"), ("l_id", ">i4"), ("id", ">i8"), ("l_hash", ">i4"), ("hash", ">i8")]
            + [item for i in range(4) for item in ((f"l_b{i}", ">i4"), (f"b{i}", ">i2"))]
        )
        rows = np.zeros(n, row)
        rows["fields"] = 6
        rows["l_id"], rows["id"] = 8, np.arange(first_id, first_id + n, dtype=np.int64)
        rows["l_hash"], rows["hash"] = 8, hashes
        for i in range(4):
            rows[f"l_b{i}"], rows[f"b{i}"] = 2, bands[:, i]
        header = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
        columns = "attachment_id, phash, band0, band1, band2, band3"
        statement = f"COPY {TABLE} ({columns}) FROM STDIN (FORMAT binary)"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(header + rows.tobytes() + b"\xff\xff")

    # ----------------------------------------------------------------------- look-ups

    def lookups(self, n: int, scans: int) -> dict:
        rng = random.Random(13)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT phash FROM {TABLE} TABLESAMPLE SYSTEM (0.1) LIMIT %s", [n])
            stored = [row[0] for row in cursor.fetchall()] or [0]
        queries = []
        for i in range(n):
            if i % 2:
                queries.append(photos.to_signed(rng.getrandbits(64)))
            else:
                value = rng.choice(stored)
                for bit in rng.sample(range(64), rng.randint(0, photos.NEAR_DUPLICATE_BITS)):
                    value ^= 1 << bit
                queries.append(photos.to_signed(value))
        found, in_python, bare, captured = 0, [], [], []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        for query in queries:
            captured.clear()
            with connection.execute_wrapper(capture):
                started = time.perf_counter()
                found += bool(photos.near_hashes(query))
                in_python.append((time.perf_counter() - started) * 1000)
            with connection.cursor() as cursor:
                started = time.perf_counter()
                for sql, params in captured:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                bare.append((time.perf_counter() - started) * 1000)
        scan = []
        with connection.cursor() as cursor:
            for query in queries[:scans]:
                started = time.perf_counter()
                cursor.execute(
                    f"SELECT phash FROM {TABLE} WHERE bit_count((phash # %s)::bit(64)) <= %s",
                    [query, photos.NEAR_DUPLICATE_BITS],
                )
                cursor.fetchall()
                scan.append((time.perf_counter() - started) * 1000)
        return {
            "near_hashes": summary(in_python),
            "bare_sql": summary(bare),
            "full_scan_sql": summary(scan),
            "queries_with_a_match": found,
        }

    # ----------------------------------------------------------------------- uploads

    def uploads(self, options) -> dict:
        clients, total = options["clients"], options["uploads"]
        fixture = self.fixture(clients)
        pictures = [self.photo(i, options["size_kb"]) for i in range(clients * 2)]
        media = tempfile.mkdtemp(prefix="bench-photos-media-")
        queue = options["tasks"] == "queue"
        env = {
            **os.environ,
            "LOSSDESK_MEDIA_ROOT": media,
            "LOSSDESK_THROTTLE_USER": "1000000/minute",
            "LOSSDESK_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOSSDESK_TASKS_BACKEND": (
                "django_tasks_db.DatabaseBackend"
                if queue
                else "django.tasks.backends.immediate.ImmediateBackend"
            ),
        }
        worker = None
        port = options["port"]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lossdesk.wsgi",
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env=env,
        )

        def start_worker():
            return subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        try:
            if queue:
                worker = start_worker()
            base = f"http://127.0.0.1:{port}/api/v1"
            self.wait_for(base, server)
            # Warm-up: each worker loads the font and imagehash once.
            before = Attachment.objects.aggregate(last=Max("pk"))["last"] or 0
            for i in range(options["workers"] * 2):
                self.post(base, fixture[i % clients], pictures[i % len(pictures)])
            first_id = Attachment.objects.aggregate(last=Max("pk"))["last"] or 0
            if worker is not None:
                self.wait_drained(Attachment.objects.filter(pk__gt=before), 300)
            latencies, statuses, lock = [], [], threading.Lock()
            per_client = max(1, total // clients)

            def client(c: int):
                case_no, token = fixture[c]
                for i in range(per_client):
                    started = time.perf_counter()
                    status = self.post(base, (case_no, token), pictures[(c + i) % len(pictures)])
                    with lock:
                        latencies.append((time.perf_counter() - started) * 1000)
                        statuses.append(status)

            threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
            started, clients_started = time.perf_counter(), timezone.now()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            if queue and options["drain_after"]:
                worker.terminate()
                worker.wait(timeout=30)
                worker = start_worker()
            ours = Attachment.objects.filter(pk__gt=first_id)
            self.wait_drained(ours, 1800)
            drained = time.perf_counter() - started
            if options["drain_after"]:
                # From the first task the worker took to the last it finished: not its start.
                span = DBTaskResult.objects.filter(enqueued_at__gte=clients_started).aggregate(
                    first=Min("started_at"), last=Max("finished_at")
                )
                drained = (span["last"] - span["first"]).total_seconds()
            outcome = dict(Counter(ours.values_list("processing", flat=True)))
        finally:
            for process in (server, worker):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)
            shutil.rmtree(media, ignore_errors=True)
        created = statuses.count(201)
        result = {
            "tasks": options["tasks"] + (" drained after" if options["drain_after"] else ""),
            "workers": options["workers"],
            "threads": options["threads"],
            "clients": clients,
            "photo_kb": round(statistics.mean(len(p) for p in pictures) / 1024),
            "sent": len(statuses),
            "created": created,
            "other_statuses": sorted({s for s in statuses if s != 201}),
            "per_s": round(created / elapsed, 1),
            "latency": summary(latencies),
            "processing": outcome,
        }
        if queue:
            result["drained_per_s"] = round(outcome.get("ready", 0) / drained, 1)
            result["drain_s"] = round(drained, 1)
        return result

    @staticmethod
    def wait_drained(attachments, timeout: float) -> None:
        """Until none of `attachments` waits for its copies (or `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while attachments.filter(processing=ImageProcessing.PENDING).exists():
            if time.monotonic() > deadline:
                raise CommandError("后台任务未能在时限内处理完照片。")
            time.sleep(0.2)

    @staticmethod
    def post(base: str, target: tuple[str, str], content: bytes) -> int:
        case_no, token = target
        boundary = uuid.uuid4().hex
        fields = {"kind": "photo", "doc_type": "damage_photo"}
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="damage.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        )
        body.write(content + f"\r\n--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            f"{base}/cases/{case_no}/attachments",
            data=body.getvalue(),
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Idempotency-Key": uuid.uuid4().hex,
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    @staticmethod
    def wait_for(base: str, server) -> None:
        deadline = time.monotonic() + 300  # a loaded machine imports slowly
        while time.monotonic() < deadline and server.poll() is None:
            try:
                urllib.request.urlopen(f"{base}/openapi.json", timeout=5).close()
                return
            except OSError:
                time.sleep(0.5)
        raise CommandError("gunicorn 未能启动。")

    @staticmethod
    def photo(seed: int, size_kb: int) -> bytes:
        """A phone-like JPEG of about `size_kb` KB: smooth colour with some grain, and EXIF."""
        rng = np.random.default_rng(seed)
        base = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        image = Image.fromarray(base).resize((1600, 1200), Image.Resampling.BICUBIC)
        grain = rng.normal(0, 9, (1200, 1600, 3))
        pixels = np.clip(np.asarray(image, dtype=np.float64) + grain, 0, 255).astype(np.uint8)
        image = Image.fromarray(pixels)
        exif = Image.Exif()
        exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "Apple", "iPhone 15"
        detail = exif.get_ifd(ExifTags.IFD.Exif)
        detail[ExifTags.Base.DateTimeOriginal] = timezone.localtime().strftime("%Y:%m:%d %H:%M:%S")
        for quality in (90, 85, 80, 75, 70, 60, 50):
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality, exif=exif)
            if buffer.tell() <= size_kb * 1024 * 1.1:
                break
        return buffer.getvalue()

    @staticmethod
    def fixture(clients: int) -> list[tuple[str, str]]:
        """A surveyor and a case under survey per client (made once, reused), each with a
        fresh API token: (case_no, token)."""
        branch, _ = Branch.objects.get_or_create(
            code="bench-photos", defaults={"name": "照片压测分公司", "level": "city"}
        )
        client, _ = Client.objects.get_or_create(
            code="bench-photos", defaults={"name": "照片压测委托方", "short_name": "压测"}
        )
        position = Position.objects.get(code="surveyor")
        report_model = apps.get_model("intake", "Report")
        now = timezone.now()
        out = []
        for c in range(clients):
            surveyor, created = Staff.objects.get_or_create(
                username=f"bench-photos-{c:02d}",
                defaults={"full_name": f"压测{c:02d}", "branch": branch, "position": position},
            )
            if created:
                surveyor.set_unusable_password()
                surveyor.save()
            case = Case.objects.filter(surveyor=surveyor, status=CaseStatus.SURVEYING).first()
            if case is None:
                report_no, case_no = next_numbers("R", "C")
                report = report_model.objects.create(
                    report_no=report_no,
                    client=client,
                    client_claim_no=f"BENCH-PHOTOS-{c:02d}-{now:%Y%m%d%H%M%S}",
                    plate="浙A12345",
                    reporter_name="压测",
                    reporter_phone="13800000000",
                    accident_time=now - timedelta(hours=2),
                    accident_place="杭州市西湖区文三路",
                    reported_at=now - timedelta(hours=1),
                    branch=branch,
                    created_by=surveyor,
                )
                case = Case.objects.create(
                    case_no=case_no,
                    report=report,
                    client=client,
                    branch=branch,
                    status=CaseStatus.SURVEYING,
                    surveyor=surveyor,
                    opened_at=now,
                )
            token = AuthToken.objects.create(
                user=surveyor, password_hash=surveyor.get_session_auth_hash()
            )[1]
            out.append((case.case_no, token))
        return out
