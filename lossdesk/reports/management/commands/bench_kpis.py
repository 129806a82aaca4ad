"""`manage.py bench_kpis`: the KPI pages and the closing and review statistics at scale
(issue 15: under a second over 1,000,000 cases), on the PostgreSQL database seed_cases
filled, after `rebuild_statistics --closed-cases` (docs/benchmarks.md).

Each kind is a request through the test client, as an HQ user and a branch user; beside its
time, the bare SQL it issued replayed on its own (the same statements, no Python). Runs
inside one transaction that is rolled back at the end, so the database is left as it was
(a table of quality's that the database lacks is created in it for the run). Prints one
JSON line."""

import json
import statistics
import time
from datetime import timedelta

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from lossdesk.org.models import Staff


class Rollback(Exception):
    pass


def last_full_month():
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


class Command(BaseCommand):
    help = "考核指标与结案、审核统计的性能测试（PostgreSQL，100 万案件）/ Benchmark the KPIs."

    def add_arguments(self, parser):
        parser.add_argument("--hq", default="hujun", help="HQ user (sees every case)")
        parser.add_argument("--branch-user", default="fenggang", help="a branch's user")
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--note", default="")

    def handle(self, *args, hq, branch_user, runs, note, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_kpis 需要 PostgreSQL（DATABASE_URL）。")
        month = last_full_month()
        result = {
            "benchmark": "bench_kpis",
            "date": timezone.localtime().isoformat(timespec="seconds"),
            "month": f"{month:%Y-%m}",
            "runs": runs,
            "note": note,
        }
        try:
            with transaction.atomic():
                result["created_tables"] = self.missing_tables()
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT (SELECT COUNT(*) FROM claims_case),"
                        " (SELECT COUNT(*) FROM reports_closedcase),"
                        " (SELECT COUNT(*) FROM reports_closedcase"
                        "  WHERE closed_at >= %s AND closed_at < %s)",
                        [month, month + timedelta(days=31)],
                    )
                    cases, closed, in_month = cursor.fetchone()
                if not closed:
                    raise CommandError("reports_closedcase 为空：先运行 rebuild_statistics。")
                result.update(cases=cases, closed_cases=closed, closed_in_month=in_month)
                result["users"] = {}
                for role, username in (("hq", hq), ("branch", branch_user)):
                    user = Staff.objects.filter(username=username).first()
                    if user is None:
                        raise CommandError(f"没有用户 {username}（先运行 seed_demo）。")
                    result["users"][role] = {
                        "username": username,
                        "kinds": self.measure(user, month, runs),
                    }
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    @staticmethod
    def missing_tables() -> list[str]:
        """Create, for this run only, the tables of the models the pages read that the
        database does not have yet (an app's migration not applied there)."""
        existing = set(connection.introspection.table_names())
        created = []
        with connection.schema_editor() as editor:
            for label in ("quality.MisconductItem", "quality.MisconductRecord"):
                model = apps.get_model(label)
                if model._meta.db_table not in existing:
                    editor.create_model(model)
                    created.append(model._meta.db_table)
        return created

    def measure(self, user, month, runs: int) -> dict:
        client = Client()
        client.force_login(user)
        span = f"date_from={month:%Y-%m-%d}&date_to={last_day(month):%Y-%m-%d}"
        urls = {
            "kpi_page_person": f"/stats/kpis/?month={month:%Y-%m}&group_by=person",
            "kpi_api_branch": f"/api/v1/kpis?month={month:%Y-%m}&group_by=branch",
            "closing_month": f"/api/v1/statistics/closing?{span}&group_by=branch",
            "review_month": f"/api/v1/statistics/review?{span}&group_by=person",
        }
        out = {}
        for kind, url in urls.items():
            request(client, url)  # warm
            full, bare, queries = [], [], []
            for _ in range(runs):
                elapsed, captured = request(client, url)
                full.append(elapsed)
                bare.append(replay(captured))
                queries.append(len(captured))
            out[kind] = {
                "p50_ms": round(statistics.median(full), 1),
                "max_ms": round(max(full), 1),
                "bare_sql_p50_ms": round(statistics.median(bare), 1),
                "queries": max(queries),
            }
        return out


def last_day(month):
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def request(client: Client, url: str):
    captured: list = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise CommandError(f"GET {url} → {response.status_code}: {response.content[:300]!r}")
    return elapsed, captured


def replay(captured) -> float:
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        for sql, params, many in captured:
            if many:
                cursor.executemany(sql, params)
                continue
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed
