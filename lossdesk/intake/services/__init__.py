"""Intake's write side, one module per concern: `reports` (registering), `dispatch`,
`delegation` and `callbacks`. Callers import from the module that owns the function. See
claims.services for the conventions: `do_<verb>_<noun>(…, *, actor)`, one transaction,
permission and state checked, a case event written, side effects (SMS) queued to run after
the commit."""
