from django.core.management.base import BaseCommand

from lossdesk.audit.conf import retention
from lossdesk.audit.models import PiiAccess


class Command(BaseCommand):
    help = "删除超过保存期限（LOSSDESK_PII_ACCESS_LOG_DAYS）的个人信息访问记录。"

    def handle(self, *args, **options):
        deleted = PiiAccess.objects.purge_expired()
        self.stdout.write(f"已删除 {deleted} 条超过 {retention().days} 天的个人信息访问记录。")
