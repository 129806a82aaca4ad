"""Signals of the case lifecycle, for the apps above claims to follow it."""

from django.dispatch import Signal

# Sent after the transaction commits (never for a rolled-back action). kwargs: case
case_closed = Signal()
# Sent inside the cancelling transaction, so what a receiver undoes (e.g. intake's active
# dispatches) is undone together with the cancellation or not at all. kwargs: case, actor
case_cancelled = Signal()
# Sent inside the issuing transaction, after the report is saved and the case has moved, so
# what a receiver records (billing's fee) is saved together with the report or not at all.
# kwargs: case, report, actor
report_issued = Signal()
