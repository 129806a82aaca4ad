"""Signals sent after a commit, for side effects that must not run for a rolled-back action
(SMS to the surveyor and the customer, smart-dispatch bookkeeping)."""

from django.dispatch import Signal

report_registered = Signal()  # kwargs: case
case_dispatched = Signal()  # kwargs: dispatch
