"""Background work of the notify app (django.tasks)."""

from django.tasks import task


@task()
def deliver_sms(message_id: int) -> str:
    """Try to deliver one queued SMS; a failure schedules the next try (see
    services.attempt_delivery)."""
    from lossdesk.notify.services import attempt_delivery

    return attempt_delivery(message_id)
