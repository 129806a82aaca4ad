"""Signals of the case lifecycle, sent after the transaction commits (never for a
rolled-back action)."""

from django.dispatch import Signal

case_closed = Signal()  # kwargs: case
