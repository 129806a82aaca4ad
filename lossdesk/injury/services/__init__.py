"""The injury line's write side, one module per concern: `assessment` (the person, the
audited bills and the compensation, saved together) and `investigation` (the survey, the
visits, the disability appraisals and the flags of the medical investigation). Callers
import from the module that owns the function; each service locks the case, checks the
item's state and writes an event on the case's timeline."""
