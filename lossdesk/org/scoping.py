"""The one scoping rule: which rows of a branch-owned model a user may see or act on.

Every row belongs to one branch (`ScopedQuerySet.scope_branch`); some rows also belong to
the people who made or handle them (`scope_owners`). The data scope of the user's position
then means, for every model alike:

- all (全部): every row.
- subtree (本机构及下级): rows of the user's branch and of every branch below it.
- branch (本机构): rows of the user's branch.
- own (本人): rows of which the user is one of the declared owners, in any branch (a case
  the user surveys, registered the report of or prepared an assessment of; a manual quote
  they created; an import batch they uploaded). A model that declares no owners, because
  no person owns its rows (staff, branches), reads own as the user's branch.

A user outside any branch sees only scope all; a user without a position (no scope), an
anonymous or inactive user sees nothing; so does a user lacking the permission
`scope_permissions` names for the action asked. A queryset may widen `scope_q` (claims ORs
in the cases delegated to the user's branches). Nothing else compares data scopes: views and
services call `for_user`, `scope_q` or `covers_branch`."""

from collections.abc import Mapping
from typing import ClassVar, Self

from django.apps import apps
from django.db import models
from django.db.models import Q

from lossdesk.org.choices import DataScope


class ScopedQuerySet(models.QuerySet):
    # Lookup from the row to its owning org.Branch ("" for org.Branch itself).
    scope_branch: ClassVar[str] = "branch"
    # Lookups from the row to Staff, any of which makes the row the user's own.
    scope_owners: ClassVar[tuple[str, ...]] = ()
    # action -> "app.codename" the user needs for it; an action not listed needs none.
    scope_permissions: ClassVar[Mapping[str, str]] = {}

    def for_user(self, user, action: str = "view") -> Self:
        """The rows `user` may see (or act on, for `action`) within their data scope."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        permission = self.scope_permissions.get(action)
        if permission is not None and not user.has_perm(permission):
            return self.none()
        scope = user.data_scope
        if scope == DataScope.ALL:
            return self.all()
        if scope is None or not user.branch_id:
            return self.none()
        return self.filter(self.scope_q(user))

    def scope_q(self, user) -> Q:
        """Q for the rows inside the user's data scope (no permission check)."""
        scope = user.data_scope
        if scope == DataScope.ALL:
            return Q()
        if scope is None or not user.branch_id:
            return Q(pk__in=[])
        branch = f"{self.scope_branch}__" if self.scope_branch else ""
        if scope == DataScope.SUBTREE and self.scope_branch:
            # The subtree's branch ids as a subquery rather than a join to the branch table:
            # the row's own branch column can then be checked inside an index (the case
            # list's order, issue 16), and the planner sees a small set.
            branches = apps.get_model("org", "Branch").objects
            subtree = branches.filter(path__startswith=user.branch.path).values("pk")
            return Q(**{f"{self.scope_branch}__in": subtree})
        if scope == DataScope.SUBTREE:
            return Q(**{f"{branch}path__startswith": user.branch.path})
        if scope == DataScope.OWN and self.scope_owners:
            owned = Q(pk__in=[])
            for owner in self.scope_owners:
                owned |= Q(**{owner: user})
            return owned
        return Q(**{f"{branch}pk": user.branch_id})


def sees_branches(user) -> bool:
    """Whether the user's scope reaches whole branches (all, subtree, branch) rather than
    only the rows they own: what an app shows to a branch (a case delegated to it) reaches
    them too."""
    return user.data_scope in (DataScope.ALL, DataScope.SUBTREE, DataScope.BRANCH)


def covers_branch(user, branch) -> bool:
    """Whether `branch` lies inside the user's data scope (for acting for a branch): the
    rule above for a branch itself, which no person owns."""
    scope = user.data_scope
    if scope == DataScope.ALL:
        return True
    if scope is None or not user.branch_id:
        return False
    if scope == DataScope.SUBTREE:
        return branch.path.startswith(user.branch.path)
    return branch.pk == user.branch_id
