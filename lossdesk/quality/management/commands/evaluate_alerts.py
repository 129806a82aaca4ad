"""The scheduled job of the risk alerts: run every enabled rule on every open case
(docs/quality.md; idempotent, so it may run as often as wished, e.g. every 10 minutes)."""

from django.core.management.base import BaseCommand

from lossdesk.quality.services import evaluate_cases


class Command(BaseCommand):
    help = "评估风险预警规则（所有未结案件）/ Evaluate the risk-alert rules on open cases."

    def handle(self, *args, **options):
        raised = evaluate_cases()
        self.stdout.write(f"新增预警 {raised} 条。/ {raised} new alerts.")
