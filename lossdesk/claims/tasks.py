"""Background work of the claims app, written against django.tasks (inline with the
ImmediateBackend; `manage.py db_worker` with the database queue)."""

from django.tasks import task

from lossdesk.claims.choices import ImageProcessing
from lossdesk.claims.models import Attachment


@task
def process_image(attachment_id: int) -> str:
    """An uploaded image's watermarked copies, perceptual hash and near-duplicate finding
    (services.make_image_copies; decision 0019). Whatever goes wrong is visible on the
    attachment (failed, with the reason) and the original is kept; `manage.py
    process_images` tries the attachments left pending or failed again."""
    from lossdesk.claims.services import make_image_copies

    try:
        return make_image_copies(attachment_id)
    except Exception:
        Attachment.objects.filter(pk=attachment_id, processing=ImageProcessing.PENDING).update(
            processing=ImageProcessing.FAILED,
            processing_error="处理时出错，可重试（manage.py process_images）；原图已保存。",
        )
        raise
