"""`manage.py process_images`: enqueue the background task again for every image whose
watermarked copies are not made yet (a task lost with a queue, or failed: a storage outage,
a photo too broken to decode). The task leaves a ready image alone, so running this beside a
busy worker does no harm (decision 0019)."""

from django.core.management.base import BaseCommand

from lossdesk.claims.choices import ImageProcessing
from lossdesk.claims.models import Attachment
from lossdesk.claims.tasks import process_image


class Command(BaseCommand):
    help = "为尚未生成展示图和缩略图的图片附件重新排队后台处理。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--failed-only", action="store_true", help="只重试处理失败的，不含处理中的"
        )

    def handle(self, *args, failed_only=False, **options):
        states = (
            [ImageProcessing.FAILED]
            if failed_only
            else [ImageProcessing.FAILED, ImageProcessing.PENDING]
        )
        ids = list(
            Attachment.objects.filter(processing__in=states)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in ids:
            process_image.enqueue(pk)
        self.stdout.write(f"已排队 {len(ids)} 个图片附件。")
