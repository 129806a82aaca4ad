"""What a demo build raises: the firm is there already, or a service refused a step."""


class DemoDataExists(Exception):
    """The database already holds the demo firm (or names it would use)."""

    def __init__(self, conflicts: list[str]):
        super().__init__("; ".join(conflicts))
        self.conflicts = conflicts


class DemoBuildError(Exception):
    """A service refused a demo step: a bug in the builder or changed business rules."""
