"""`manage.py seed_cases --cases N [--reset]`: N realistic cases over the demo firm's
branches, clients and staff, written fast for benchmarks (lossdesk.demo.scale, issue 16).
Needs `seed_demo` first. `--reset` removes the cases seed_cases made before (and only
those) first; `--cases 0 --reset` only removes them. Either way the statistics' daily
roll-ups are rebuilt after (the rows were written past the services)."""

import resource
import time

from django.core.management.base import BaseCommand, CommandError

from lossdesk.claims.choices import CaseStatus
from lossdesk.demo.scale import CaseSeeder, SeedError, reset_seeded_cases
from lossdesk.reports import rollups


class Command(BaseCommand):
    help = (
        "生成大量演示案件（基准测试用，需先运行 seed_demo）。"
        " / Seed N cases over the demo firm for benchmarks (run seed_demo first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="案件数量 / number of cases")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除以前由 seed_cases 生成的案件 / remove earlier seeded cases first",
        )
        parser.add_argument("--seed", type=int, default=16, help="随机种子 / random seed")

    def handle(self, *args, cases: int, reset: bool, seed: int, **options):
        if cases < 0:
            raise CommandError("案件数量不能为负数。/ --cases must not be negative.")
        verbosity = options["verbosity"]

        def log(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(message)

        if reset:
            removed = reset_seeded_cases()
            log(f"已删除 seed_cases 生成的案件 {removed} 件。/ Removed {removed} seeded cases.")
        if not cases:
            if reset:
                self.rebuild_rollups(log)
            return
        try:
            result = CaseSeeder(cases, seed=seed, log=log).run()
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        rate = result.cases / max(result.seconds, 1e-9)
        counts = "，".join(
            f"{status.label} {result.by_status.get(status, 0)}" for status in CaseStatus
        )
        rows = "，".join(f"{table} {n}" for table, n in result.rows.items())
        self.rebuild_rollups(log)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：案件 {result.cases}（{counts}），用时 {result.seconds:.1f} 秒，"
                f"{rate:.0f} 件/秒；行数：{rows}；RSS {rss} MB。"
            )
        )

    @staticmethod
    def rebuild_rollups(log) -> None:
        started = time.perf_counter()
        written = rollups.rebuild()
        rows = "，".join(f"{name} {count}" for name, count in written.items())
        log(f"统计日汇总已重建（{rows} 行，{time.perf_counter() - started:.1f} 秒）。")
