"""The monitoring board at scale (issue 15: under a second over 1,000,000 cases), on the
PostgreSQL database seed_cases filled (docs/benchmarks.md).

Inside one transaction that is rolled back at the end, so the database is left as it was
(seed_cases --reset keeps working): every case gets its met dispatch deadline, every open
case one open deadline at its current stage, due from 2 days ago to 2 days ahead; then the
board's reads are timed as an HQ user and a branch user, each beside the bare SQL of the
same statement. Prints one JSON line."""

import json
import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from lossdesk.org.models import Staff
from lossdesk.quality import monitoring

SEED = """
INSERT INTO quality_casedeadline
    (case_id, stage, person_id, allowed, started_at, due_at, met_at, remind_at)
SELECT c.id, 'dispatch', NULL, '10 分钟', r.reported_at, r.reported_at + interval '10 minutes',
       r.reported_at + (c.id % 20) * interval '1 minute', r.reported_at
FROM claims_case c JOIN intake_report r ON r.id = c.report_id
WHERE c.status <> 'registered'
ON CONFLICT DO NOTHING;
INSERT INTO quality_casedeadline
    (case_id, stage, person_id, allowed, started_at, due_at, met_at, remind_at)
SELECT c.id, s.stage, c.surveyor_id, '1 个工作日', d.due - interval '1 day', d.due, NULL,
       d.due - interval '1 hour'
FROM claims_case c
JOIN (VALUES ('registered', 'dispatch'), ('dispatched', 'arrival'), ('surveying', 'survey'),
             ('assessing', 'assessment'), ('in_review', 'review'),
             ('in_second_review', 'review'), ('approved', 'report'))
     AS s(status, stage) ON s.status = c.status
CROSS JOIN LATERAL (SELECT now() + ((c.id % 97) - 48) * interval '1 hour' AS due) d
ON CONFLICT DO NOTHING;
ANALYZE quality_casedeadline;
"""


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "案件监控看板的性能测试（PostgreSQL，100 万案件）/ Benchmark the monitoring board."

    def add_arguments(self, parser):
        parser.add_argument("--hq", default="hujun", help="HQ user (sees every case)")
        parser.add_argument("--branch-user", default="fenggang", help="a branch's user")
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--note", default="")

    def handle(self, *args, hq, branch_user, runs, note, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_monitoring 需要 PostgreSQL（DATABASE_URL）。")
        users = {}
        for role, username in (("hq", hq), ("branch", branch_user)):
            user = Staff.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户 {username}（先运行 seed_demo）。")
            users[role] = user
        result = {
            "benchmark": "bench_monitoring",
            "date": timezone.localtime().isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "runs": runs,
            "note": note,
        }
        try:
            with transaction.atomic():
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(SEED)
                    cursor.execute(
                        "SELECT COUNT(*), COUNT(*) FILTER (WHERE met_at IS NULL) "
                        "FROM quality_casedeadline"
                    )
                    rows, open_rows = cursor.fetchone()
                    cursor.execute("SELECT COUNT(*) FROM claims_case")
                    result["cases"] = cursor.fetchone()[0]
                result["seed_seconds"] = round(time.perf_counter() - started, 1)
                result["deadlines"] = rows
                result["open_deadlines"] = open_rows
                result["users"] = {}
                for role, user in users.items():
                    result["users"][role] = {
                        "username": user.username,
                        "data_scope": user.position.data_scope,
                        "kinds": self.measure(user, runs),
                    }
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def measure(self, user, runs: int) -> dict:
        now = timezone.now()
        since = now - timedelta(days=30)
        kinds = {
            "open_counts": lambda: monitoring.open_counts(user, now),
            "overdue_page": lambda: list(monitoring.drill_down(user, now, status="overdue")[:50]),
            "statistics_30d": lambda: monitoring.statistics(user, since, now, now),
        }
        columns = {c for pair in monitoring.GROUP_COLUMNS.values() for c in pair}
        sql = {
            "open_counts": monitoring.deadlines_for(user)
            .open()
            .order_by()
            .values(*sorted(columns))
            .annotate(**monitoring.counts(now)),
            "overdue_page": monitoring.drill_down(user, now, status="overdue")[:50],
        }
        out = {}
        for kind, read in kinds.items():
            read()  # warm
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                read()
                times.append((time.perf_counter() - started) * 1000)
            out[kind] = {
                "p50_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
            }
            if kind in sql:
                out[kind]["bare_sql_p50_ms"] = bare(sql[kind], runs)
        return out


def bare(queryset, runs: int) -> float:
    statement, params = queryset.query.sql_with_params()
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(statement, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)
