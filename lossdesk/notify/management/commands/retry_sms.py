"""Sweep the SMS outbox: hand every queued message whose next attempt is due to the
`deliver_sms` task. Run it every minute from cron (or a systemd timer) where the task
backend cannot schedule delayed retries itself (the immediate backend, the default)."""

from django.core.management.base import BaseCommand

from lossdesk.notify.services import due_messages, enqueue_delivery


class Command(BaseCommand):
    help = "重新投递到期的待发送短信（失败重试、丢失的投递任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="本次最多处理的短信数。")

    def handle(self, *args, limit: int, **options):
        ids = list(due_messages().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
        for pk in ids:
            enqueue_delivery(pk)
        self.stdout.write(f"已投递 {len(ids)} 条到期短信。")
