"""manage.py bench_parts [--queries K]: time a fixed mix of part searches on the current
catalogue and print one JSON line.

Kinds: 1-, 2- and 3+-character Chinese, OE number (full with separators, and a prefix),
pinyin initials, and each of those restricted to an identified model. For every search the
whole `parts.queries.search_parts` call is timed (ranking, paging and the prices beside
each part, as the API runs it), then the very SQL statements it issued are replayed bare on
a cursor (same text, same parameters, rows fetched) — the database's share of the time.
Both are reported as p50/p95 in milliseconds, with their ratio."""

import json
import os
import platform
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from lossdesk.org.models import Branch
from lossdesk.parts.models import Part, PartName, VehicleModel
from lossdesk.parts.queries import search_parts

CN1 = ["灯", "门", "杠", "板", "镜", "器", "盘", "臂", "梁", "窗"]
CN2 = ["大灯", "前杠", "雾灯", "门壳", "轮毂", "雷达", "水箱", "气囊", "尾灯", "玻璃"]
CN3 = [
    "前保险杠",
    "翼子板",
    "后视镜",
    "前挡风玻璃",
    "减震器",
    "散热器",
    "安全气囊",
    "尾灯总成",
    "发动机盖",
    "倒车雷达探头",
]
PINYIN = ["qbxg", "hsj", "yzb", "qddzc", "srq", "jzq", "dcld", "lg", "fdjg", "wdzc"]
LIMIT = 20


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Command(BaseCommand):
    help = "配件搜索基准：各类查询的 p50/p95（毫秒）及同样 SQL 的裸执行时间，输出一行 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=200, help="每类查询次数（默认 200）")
        parser.add_argument("--warmup", type=int, default=1, help="每条查询的预热次数")
        parser.add_argument("--note", default="", help="附在结果中的说明（机器、负载等）")

    def handle(self, *args, queries: int, warmup: int, note: str, **options):
        parts = Part.objects.count()
        if not parts:
            raise CommandError("目录为空：先运行 manage.py seed_parts --parts N。")
        branch = (
            Branch.objects.exclude(province="")
            .only("id", "path", "province")
            .order_by("pk")
            .first()
        )
        mix = self.mix(parts)
        results = {}
        for kind, cases in mix.items():
            for _ in range(warmup):
                for q, model in cases:
                    search_parts(q, model=model, branch=branch, limit=LIMIT)
            full, bare, rows, statements = [], [], [], []
            for i in range(queries):
                q, model = cases[i % len(cases)]
                elapsed, captured, count = self.timed_search(q, model, branch)
                full.append(elapsed)
                bare.append(self.replay(captured))
                rows.append(count)
                statements.append(len(captured))
            results[kind] = {
                "p50_ms": round(percentile(full, 0.5), 2),
                "p95_ms": round(percentile(full, 0.95), 2),
                "bare_sql_p50_ms": round(percentile(bare, 0.5), 2),
                "bare_sql_p95_ms": round(percentile(bare, 0.95), 2),
                "ratio_p95": round(percentile(full, 0.95) / max(percentile(bare, 0.95), 1e-6), 2),
                "avg_rows": round(statistics.mean(rows), 1),
                "sql_statements": round(statistics.mean(statements), 1),
                "examples": sorted({q for q, _ in cases})[:4],
            }
        out = {
            "benchmark": "bench_parts",
            "date": timezone.localtime().isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "database_version": self.db_version(),
            "parts": parts,
            "standard_names": PartName.objects.count(),
            "queries_per_kind": queries,
            "limit": LIMIT,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_avg": [round(x, 2) for x in os.getloadavg()],
            },
            "note": note,
            "kinds": results,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def mix(self, parts: int) -> dict[str, list[tuple[str, VehicleModel | None]]]:
        ids = list(
            Part.objects.order_by("pk").values_list("pk", flat=True)[: parts : max(1, parts // 20)]
        )
        sample = list(
            Part.objects.filter(pk__in=ids).order_by("pk").values_list("oe_number", "oe_normalized")
        )
        oe = []
        for i, (number, normalized) in enumerate(sample[:20]):
            oe.append((number if i % 2 == 0 else normalized[: max(5, len(normalized) - 3)], None))
        models = list(
            VehicleModel.objects.order_by("pk")[:: max(1, VehicleModel.objects.count() // 10)]
        )[:10]
        restricted = []
        for i, model in enumerate(models or [None]):
            restricted.append((CN1[i % len(CN1)], model))
            restricted.append((CN3[i % len(CN3)], model))
            restricted.append((PINYIN[i % len(PINYIN)], model))
        return {
            "cn_1_char": [(q, None) for q in CN1],
            "cn_2_chars": [(q, None) for q in CN2],
            "cn_3plus_chars": [(q, None) for q in CN3],
            "oe_number": oe or [("0000", None)],
            "pinyin_initials": [(q, None) for q in PINYIN],
            "model_restricted": restricted,
        }

    @staticmethod
    def timed_search(q: str, model, branch):
        captured: list[tuple[str, object]] = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            started = time.perf_counter()
            result = search_parts(q, model=model, branch=branch, limit=LIMIT)
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, captured, len(result.hits)

    @staticmethod
    def replay(captured) -> float:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql, params in captured:
                cursor.execute(sql, params)
                cursor.fetchall()
            return (time.perf_counter() - started) * 1000

    @staticmethod
    def db_version() -> str:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
            else:
                cursor.execute("SELECT sqlite_version()")
            return str(cursor.fetchone()[0])
