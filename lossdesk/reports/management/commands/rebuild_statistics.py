"""`manage.py rebuild_statistics [--closed-cases]`: recompute the statistics' daily roll-ups
and each closed case's figures from the cases (after loading cases straight into the tables,
or to check nothing drifted); `--closed-cases` recomputes only the latter (reports.casefacts)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from lossdesk.reports import casefacts, rollups


class Command(BaseCommand):
    help = "按案件数据重建统计日汇总（报案统计、调度统计）与结案案件指标。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--closed-cases", action="store_true", help="只重建结案案件指标（考核指标、结案统计）"
        )

    def handle(self, *args, closed_cases, **options):
        started = time.perf_counter()
        if closed_cases:
            with transaction.atomic():
                written = {"closedcase": casefacts.rebuild()}
        else:
            written = rollups.rebuild()
        rows = "，".join(f"{name} {count} 行" for name, count in written.items())
        self.stdout.write(f"统计日汇总已重建：{rows}（{time.perf_counter() - started:.1f} 秒）。")
