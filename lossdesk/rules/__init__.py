"""Pure-Python settlement rules for LossDesk (no Django): VIN, depreciation, total loss,
CTPL apportionment, commercial payouts, injury compensation and province standards.

Specification: ``shared/domain/RULES.md`` with worked examples in ``VECTORS.md``.
"""
