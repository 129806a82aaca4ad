"""The duty roster (排班表) a dispatcher keeps for their branch, which the surveyor
recommendation reads. Every change is recorded in the admin log (who, when, what)."""

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.db import transaction

from lossdesk.core.errors import NotFound, PermissionDenied
from lossdesk.intake.models import RosterShift
from lossdesk.org.positions import CASE_DISPATCH


def _require_dispatcher(actor) -> None:
    if not actor.has_perm(CASE_DISPATCH) or actor.branch_id is None:
        raise PermissionDenied("您的岗位没有「调度」权限。")


def _describe(shift: RosterShift) -> str:
    return (
        f"排班：{shift.surveyor} {shift.date:%Y-%m-%d} "
        f"{shift.start_time:%H:%M}–{shift.end_time:%H:%M} {shift.zone}"
    )


@transaction.atomic
def do_add_roster_shift(data: dict, *, actor) -> RosterShift:
    """A shift for a surveyor of the actor's own branch (the form offers only those)."""
    _require_dispatcher(actor)
    if data["surveyor"].branch_id != actor.branch_id:
        raise NotFound("该查勘员不在您的机构。")
    shift = RosterShift.objects.create(**data)
    LogEntry.objects.log_actions(actor.pk, [shift], ADDITION, _describe(shift), single_object=True)
    return shift


@transaction.atomic
def do_remove_roster_shift(shift: RosterShift, *, actor) -> None:
    _require_dispatcher(actor)
    if shift.branch_id != actor.branch_id:
        raise NotFound("排班不存在。")
    LogEntry.objects.log_actions(
        actor.pk, [shift], DELETION, f"删除{_describe(shift)}", single_object=True
    )
    shift.delete()
