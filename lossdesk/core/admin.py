"""Admin building blocks shared by the apps."""


class ReadOnlyMixin:
    """An admin page that shows rows and never adds, changes or deletes one, superusers
    included: business changes go through the services, audit rows are append-only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
