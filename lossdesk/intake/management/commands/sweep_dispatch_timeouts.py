"""`manage.py sweep_dispatch_timeouts`: run from cron every minute (or use the task
intake.tasks.sweep_dispatch_timeouts with a scheduler)."""

from django.core.management.base import BaseCommand

from lossdesk.intake.services.dispatch import sweep_dispatch_timeouts


class Command(BaseCommand):
    help = (
        "Time out pending dispatches older than their branch's accept deadline: the case "
        "goes back to the dispatcher's queue with an alert."
    )

    def handle(self, *args, **options):
        count = sweep_dispatch_timeouts()
        self.stdout.write(f"timed out {count} dispatch(es)")
