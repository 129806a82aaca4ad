"""Background work of the parts app, written against django.tasks (inline with the
ImmediateBackend, a worker with a queue backend)."""

from django.tasks import task

from lossdesk.parts import importing


@task
def validate_catalogue_import(import_id: int) -> None:
    importing.validate_import(import_id)


@task
def run_catalogue_import(import_id: int) -> None:
    importing.run_import(import_id)
