"""`manage.py rebuild_statistics`: recompute the statistics' daily roll-ups from the cases
(after loading cases straight into the tables, or to check nothing drifted)."""

import time

from django.core.management.base import BaseCommand

from lossdesk.reports import rollups


class Command(BaseCommand):
    help = "按案件数据重建统计日汇总（报案统计、调度统计）。"

    def handle(self, *args, **options):
        started = time.perf_counter()
        written = rollups.rebuild()
        rows = "，".join(f"{name} {count} 行" for name, count in written.items())
        self.stdout.write(f"统计日汇总已重建：{rows}（{time.perf_counter() - started:.1f} 秒）。")
