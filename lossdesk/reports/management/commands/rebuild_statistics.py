"""`manage.py rebuild_statistics [--closed-cases | --arrivals]`: recompute the statistics'
daily roll-ups and each closed case's figures from the cases (after loading cases straight
into the tables, or to check nothing drifted); `--closed-cases` recomputes only the latter
(reports.casefacts) and their daily sums (reports.ClosedDay), `--arrivals` only the arrival
histograms (reports.ArrivalDay, ArrivalMonth)."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from lossdesk.reports import rollups


class Command(BaseCommand):
    help = "按案件数据重建统计日汇总（报案、调度、物损、人伤统计，调度到达分布）与结案案件指标。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--closed-cases",
            action="store_true",
            help="只重建结案案件指标及其日汇总（考核指标、结案统计）",
        )
        parser.add_argument(
            "--arrivals", action="store_true", help="只重建调度到达日分布（中位调度到达）"
        )

    def handle(self, *args, closed_cases, arrivals, **options):
        started = time.perf_counter()
        if closed_cases:
            with transaction.atomic():
                written = rollups.rebuild_closed()
        elif arrivals:
            with transaction.atomic():
                written = {
                    "arrivalday": rollups.ARRIVALS.rebuild(),
                    "arrivalmonth": rollups.ARRIVAL_MONTHS.rebuild(),
                }
        else:
            written = rollups.rebuild()
        rows = "，".join(f"{name} {count} 行" for name, count in written.items())
        self.stdout.write(f"统计日汇总已重建：{rows}（{time.perf_counter() - started:.1f} 秒）。")
