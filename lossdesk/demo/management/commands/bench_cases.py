"""`manage.py bench_cases [--queries N]`: time the case list, search, detail and statistics
through the real views, as an HQ user and as a branch user, and print one JSON line
(issue 16).

Each request goes through Django's test client against the real URL (middleware,
authentication by session, filters, serializers, templates), timed from the call to the
response. The SQL statements it issued are captured (`connection.execute_wrapper`: their
text and parameters, as the driver received them) and replayed bare on a cursor, rows
fetched, leaving the data as it was and the connection's prepared statements in place
(`replay`): the database's share. p50/p95 in milliseconds, their ratio, the mean number of
statements and of rows in the answer; the kind's samples stop early once its time budget
(`--budget`) is spent, and `samples` says how many were taken, after a warm-up that
requests each of the kind's URLs once (`WARM_UP` requests at least). Ends with the RSS of
the process."""

import json
import os
import platform
import random
import re
import resource
import statistics
import time
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from lossdesk.claims.models import Case
from lossdesk.demo.firm import HQ_CODE
from lossdesk.demo.scale import seeded_cases
from lossdesk.org.models import Staff

KINDS = (
    "list_first",
    "list_status",
    "list_dates",
    "search_plate",
    "search_phone",
    "search_case_no",
    "search_vin",
    "search_name",
    "list_deep_page",
    "detail_api",
    "stats_month",
    "stats_year",
    # Not a target: the same path for a request that does no case work (the caller's own
    # login tokens, an empty list): what any API request costs beside its own SQL (the
    # session, the user), the floor under every ratio above.
    "floor",
)
SAMPLES = 20  # cases searched for / shown, per user
# The replay's writes: an INSERT that returns its id can be deleted again (replay()).
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
INSERTED = re.compile(r'\s*INSERT\s+INTO\s+"(?P<table>\w+)"', re.IGNORECASE)
RETURNING_ID = re.compile(r'\bRETURNING\s+"\w+"\."id"\s*$', re.IGNORECASE)
PAGE_SIZE = 50  # the API's page
DEEP_PAGE = 500
WARM_UP = 4  # requests per kind at least, each with its replay: 8 executions of a statement


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def rss_mb() -> float:
    """The resident set of this process now, in MB (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def month_ranges(today, months: int) -> list[tuple]:
    """Calendar-month-long ranges ending 0, 1, … months ago."""
    ranges = []
    for i in range(months):
        end = today - timedelta(days=30 * i)
        ranges.append((end - timedelta(days=29), end))
    return ranges


class Command(BaseCommand):
    help = (
        "案件列表、搜索、详情与统计的基准：经真实视图（总部用户与分公司用户），"
        "各类请求的 p50/p95 与同样 SQL 的裸执行时间，输出一行 JSON。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=100, help="每类请求次数（默认 100）")
        parser.add_argument(
            "--budget",
            type=float,
            default=120.0,
            help="每类每个用户的时间上限（秒，至少 3 次；默认 120）",
        )
        parser.add_argument("--hq-user", default="", help="总部用户名（默认：总部的分公司经理岗）")
        parser.add_argument(
            "--branch-user", default="", help="分公司用户名（默认：最大分公司的调度员）"
        )
        parser.add_argument("--kinds", default="", help="只测这些类（逗号分隔）")
        parser.add_argument("--note", default="", help="附在结果中的说明（机器、负载等）")
        parser.add_argument("--seed", type=int, default=16)

    def handle(self, *args, queries, budget, hq_user, branch_user, kinds, note, seed, **options):
        cases = Case.objects.count()
        if not cases:
            raise CommandError("没有案件：先运行 manage.py seed_demo 与 seed_cases --cases N。")
        kinds = [k for k in kinds.split(",") if k] or list(KINDS)
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise CommandError(f"未知的类：{', '.join(unknown)}；可选：{', '.join(KINDS)}")
        self.rng = random.Random(seed)
        users = {"hq": self.user(hq_user, hq=True), "branch": self.user(branch_user, hq=False)}
        load_before = [round(x, 2) for x in os.getloadavg()]
        results = {}
        rates = {"anon": "1000000/minute", "user": "1000000/minute"}
        rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        with override_settings(
            REST_FRAMEWORK=rest, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False
        ):
            for role, user in users.items():
                client = Client()
                client.force_login(user)
                mix = self.mix(user)
                results[role] = {}
                for kind in kinds:
                    results[role][kind] = self.measure(client, mix[kind], queries, budget)
                    if options["verbosity"] >= 2:
                        self.stderr.write(f"{role} {kind}: {results[role][kind]}")
        out = {
            "benchmark": "bench_cases",
            "date": timezone.localtime().isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "database_version": self.db_version(),
            "cases": cases,
            "seeded_cases": seeded_cases().count(),
            "queries_per_kind": queries,
            "budget_seconds_per_kind": budget,
            "users": {
                role: {
                    "username": u.username,
                    "branch": u.branch.name if u.branch else None,
                    "data_scope": u.position.data_scope if u.position else None,
                    "visible_cases": Case.objects.for_user(u).count(),
                }
                for role, u in users.items()
            },
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_avg_start": load_before,
                "load_avg_end": [round(x, 2) for x in os.getloadavg()],
            },
            "note": note,
            "kinds": results["hq"],
            "kinds_branch_user": results["branch"],
            "rss_mb": rss_mb(),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    # -- who and what ------------------------------------------------------------------

    @staticmethod
    def user(username: str, *, hq: bool) -> Staff:
        staff = Staff.objects.filter(is_active=True).select_related("position", "branch")
        if username:
            user = staff.filter(username=username).first()
            if user is None:
                raise CommandError(f"用户 {username} 不存在或已停用。")
            return user
        if hq:
            user = staff.filter(branch__code=HQ_CODE, position__code="branch_manager").first()
        else:  # the dispatcher of the branch with the most cases
            busiest = Case.objects.values("branch").annotate(n=Count("pk")).order_by("-n").first()
            user = (
                busiest
                and staff.filter(branch=busiest["branch"], position__code="dispatcher").first()
            )
        if user is None:
            raise CommandError("找不到默认用户：请用 --hq-user / --branch-user 指定。")
        return user

    def sample(self, user) -> list[dict]:
        """Up to SAMPLES cases the user sees, spread over the table."""
        visible = Case.objects.for_user(user)
        bounds = Case.objects.order_by("pk").values_list("pk", flat=True)
        low, high = bounds.first(), bounds.last()
        found: dict[int, dict] = {}
        for _ in range(20):
            ids = [self.rng.randint(low, high) for _ in range(SAMPLES * 20)]
            rows = visible.filter(pk__in=ids).values(
                "pk",
                "case_no",
                "report__plate",
                "report__vin",
                "report__driver_phone",
                "report__reporter_name",
            )
            for row in rows:
                found.setdefault(row["pk"], row)
            if len(found) >= SAMPLES:
                break
        if not found:
            raise CommandError(f"{user.username} 看不到任何案件。")
        # Drawn from all that were found: the lowest ids alone would all be the first few
        # per cent of the table.
        chosen = self.rng.sample(sorted(found), min(SAMPLES, len(found)))
        return [found[pk] for pk in sorted(chosen)]

    def mix(self, user) -> dict[str, list[str]]:
        sample = self.sample(user)
        today = timezone.localdate()
        months = month_ranges(today, 12)
        years = [
            (today - timedelta(days=364 + 30 * i), today - timedelta(days=30 * i)) for i in range(4)
        ]
        visible = Case.objects.for_user(user).count()
        deep = max(1, min(DEEP_PAGE, -(-visible // PAGE_SIZE)))

        def cases(**params) -> str:
            return "/api/v1/cases" + (f"?{urlencode(params)}" if params else "")

        def stats(ranges) -> list[str]:
            urls = []
            for start, end in ranges:
                query = urlencode({"date_from": start.isoformat(), "date_to": end.isoformat()})
                urls += [
                    f"/stats/?{query}",
                    f"/api/v1/statistics/reports?{query}",
                    f"/api/v1/statistics/dispatch?{query}",
                ]
            return urls

        return {
            "list_first": [cases()],
            "list_status": [cases(status="assessing")],
            "list_dates": [
                cases(opened_after=a.isoformat(), opened_before=b.isoformat()) for a, b in months
            ],
            "search_plate": [cases(q=r["report__plate"]) for r in sample],
            "search_phone": [cases(q=r["report__driver_phone"]) for r in sample],
            "search_case_no": [cases(q=r["case_no"]) for r in sample],
            "search_vin": [cases(q=r["report__vin"]) for r in sample if r["report__vin"]],
            "search_name": [cases(q=r["report__reporter_name"]) for r in sample],
            "list_deep_page": [cases(page=deep)],
            "detail_api": [f"/api/v1/cases/{r['case_no']}" for r in sample],
            "stats_month": stats(months[:4]),
            "stats_year": stats(years),
            "floor": ["/api/v1/auth/tokens"],
        }

    # -- timing ------------------------------------------------------------------------

    def measure(self, client: Client, urls: list[str], queries: int, budget: float) -> dict:
        # Warm-up: each URL once, at least WARM_UP requests, each replayed as the measured
        # ones are. PostgreSQL plans a prepared statement anew on its first five executions
        # before it keeps one plan; a worker's connection has run its statements that often
        # within its first few requests, so the samples start from there.
        for i in range(max(WARM_UP, len(urls))):
            self.replay(self.request(client, urls[i % len(urls)])[1])
        full, bare, statements, rows = [], [], [], []
        started = time.perf_counter()
        for i in range(queries):
            if i >= 3 and time.perf_counter() - started > budget:
                break
            url = urls[i % len(urls)]
            elapsed, captured, count = self.request(client, url)
            full.append(elapsed)
            bare.append(self.replay(captured))
            statements.append(len(captured))
            if count is not None:
                rows.append(count)
        p95, bare95 = percentile(full, 0.95), percentile(bare, 0.95)
        result = {
            "p50_ms": round(percentile(full, 0.5), 2),
            "p95_ms": round(p95, 2),
            "bare_sql_p50_ms": round(percentile(bare, 0.5), 2),
            "bare_sql_p95_ms": round(bare95, 2),
            "ratio_p95": round(p95 / max(bare95, 1e-6), 2),
            "queries": round(statistics.mean(statements), 1),
            "samples": len(full),
            "example": urls[0],
        }
        if rows:
            result["avg_rows"] = round(statistics.mean(rows), 1)
        return result

    @staticmethod
    def request(client: Client, url: str):
        captured: list[tuple[str, object, bool]] = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params, many))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise CommandError(f"GET {url} → {response.status_code}: {response.content[:300]!r}")
        count = None
        if response.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("results"), list):
                count = len(body["results"])
        return elapsed, captured, count

    @staticmethod
    def replay(captured) -> float:
        """The captured statements run again on the request's connection, rows fetched: the
        database's share of the request. The replay ends with a COMMIT, as the request did:
        a ROLLBACK would make psycopg forget the connection's prepared statements
        (server-side binding, `prepare_threshold`), so the next request, and the replays,
        would be parsed and planned from scratch, which no request of a worker's is. Rows a
        replayed INSERT adds (a phone search's access record) are deleted again inside the
        replay's transaction, after the timing; a replay with any other write is rolled
        back instead."""
        inserts = [None if many else INSERTED.match(sql) for sql, _, many in captured]
        undone_by_delete = not any(
            WRITE.match(sql) and not (inserted and RETURNING_ID.search(sql))
            for (sql, _, _), inserted in zip(captured, inserts, strict=True)
        )
        with transaction.atomic(), connection.cursor() as cursor:
            added: list[tuple[str, object]] = []
            started = time.perf_counter()
            for (sql, params, many), inserted in zip(captured, inserts, strict=True):
                if many:
                    cursor.executemany(sql, params)
                    continue
                cursor.execute(sql, params)
                if cursor.description is not None:
                    rows = cursor.fetchall()
                    if inserted:
                        added += [(inserted["table"], row[0]) for row in rows]
            elapsed = (time.perf_counter() - started) * 1000
            if undone_by_delete:
                for table, pk in added:
                    cursor.execute(
                        f"DELETE FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk]
                    )
            else:
                transaction.set_rollback(True)
        return elapsed

    @staticmethod
    def db_version() -> str:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
            else:
                cursor.execute("SELECT sqlite_version()")
            return str(cursor.fetchone()[0])
