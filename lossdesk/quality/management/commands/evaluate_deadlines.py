"""The scheduled job of case monitoring (docs/quality.md): remind before each open deadline
and escalate each overdue one to the branch's supervisors, each once per deadline, so it
may run as often as wished (every 5 minutes). `--refresh` first recomputes every open
case's deadlines, after a change of the deadline rules or the holiday table."""

from django.core.management.base import BaseCommand

from lossdesk.quality.deadlines import evaluate_deadlines, refresh_open_cases


class Command(BaseCommand):
    help = "评估案件时限：到期提醒与超时升级 / Send deadline reminders and escalations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="先按当前时限设置和节假日重算所有未结案件的时限。",
        )

    def handle(self, *args, refresh=False, **options):
        if refresh:
            count = refresh_open_cases()
            self.stdout.write(f"重算 {count} 件案件的时限。/ {count} cases refreshed.")
        sent = evaluate_deadlines()
        self.stdout.write(
            f"提醒 {sent.reminders} 条，升级 {sent.escalations} 条。"
            f"/ {sent.reminders} reminders, {sent.escalations} escalations."
        )
