"""Background work of the intake app, written against django.tasks (inline with the
ImmediateBackend; a worker with a queue backend)."""

from django.tasks import task

from lossdesk.intake import importing
from lossdesk.intake.services import dispatch


@task
def import_reports(batch_id: int) -> dict:
    """Import the good rows of a confirmed Excel batch (intake.importing.run_import)."""
    return importing.run_import(batch_id)


@task
def sweep_dispatch_timeouts() -> int:
    """Time out pending dispatches past their branch's accept deadline; run every minute."""
    return dispatch.sweep_dispatch_timeouts()
