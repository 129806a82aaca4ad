"""State changes of accounts and positions: logins that issue API tokens, password changes and
forced resets, and who may edit which position (三员分立)."""

import logging

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import password_validation, user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lossdesk.core.errors import NotFound, PermissionDenied, ServiceError
from lossdesk.org.error_codes import OrgErrorCode
from lossdesk.org.models import AuthToken, Position, Staff
from lossdesk.org.passwords import generate_temporary_password
from lossdesk.org.positions import RESET_PASSWORD

security_log = logging.getLogger("lossdesk.security")


def check_may_edit_position(position: Position, *, actor) -> None:
    """Nobody changes the position they hold (no self-granted rights), superusers aside;
    the administrator positions' rights are fixed in code (org.positions)."""
    if position.pk == actor.position_id and not actor.is_superuser:
        raise PermissionDenied("不能修改自己所在岗位的权限。")


def check_position_permissions(position: Position, permissions) -> None:
    """The rights of an administrator position (三员) are not edited: they are whatever
    org.positions lists, and business rights are never among them."""
    if position.pk is None or not position.is_administrator:
        return
    if set(permissions) != set(position.permissions.all()):
        raise ValidationError({"permissions": ["三员岗位的权限由系统规定，不能修改。"]})


@transaction.atomic
def do_issue_token(user: Staff, *, request, device: str = "") -> tuple[AuthToken, str]:
    """A new API token for a successful login (one per login and device). Expired tokens of
    the user are swept; over the per-user limit the oldest end, so a forgotten device cannot
    block new logins."""
    from knox.settings import knox_settings

    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit:
        oldest = AuthToken.objects.filter(user=user).order_by("-created")[limit - 1 :]
        AuthToken.objects.filter(pk__in=[token.pk for token in oldest]).delete()
    auth_token, token = AuthToken.objects.create(
        user=user, device=device[:200], password_hash=user.get_session_auth_hash()
    )
    # last_login, and django-axes resets the username's failure count (AXES_RESET_ON_SUCCESS)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return auth_token, token


def do_revoke_token(public_id, *, actor) -> None:
    """End one of the actor's own tokens; someone else's token is a 404 like a missing one."""
    deleted, _ = AuthToken.objects.filter(user=actor, public_id=public_id).delete()
    if not deleted:
        raise NotFound("令牌不存在。")


@transaction.atomic
def do_change_password(
    user: Staff, *, old_password: str, new_password: str, actor, keep_token=None
) -> None:
    """The owner replaces their password. Every other API token ends; every other session
    ends too, because the session carries a hash of the password (the caller refreshes its
    own with update_session_auth_hash)."""
    if actor != user:
        raise PermissionDenied("只能修改自己的密码。")
    if not user.check_password(old_password):
        raise ServiceError(
            "原密码不正确。",
            code=OrgErrorCode.OLD_PASSWORD_INCORRECT,
            fields={"old_password": ["原密码不正确。"]},
        )
    if new_password == old_password:
        raise ServiceError(
            "新密码不能与原密码相同。",
            code=OrgErrorCode.PASSWORD_UNCHANGED,
            fields={"new_password": ["新密码不能与原密码相同。"]},
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError(
            "新密码不符合要求。",
            code=OrgErrorCode.PASSWORD_TOO_WEAK,
            fields={"new_password": list(exc.messages)},
        ) from exc
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    tokens = AuthToken.objects.filter(user=user)
    if keep_token is not None:
        tokens = tokens.exclude(pk=keep_token.pk)
        keep_token.password_hash = user.get_session_auth_hash()
        keep_token.save(update_fields=["password_hash"])
    tokens.delete()
    security_log.info("password changed by its owner: %s", user.username)


@transaction.atomic
def do_reset_password(staff: Staff, *, actor) -> str:
    """The system administrator's forced reset: a temporary password that must be replaced at
    the next login, every token and session of the account ended, and an entry in the admin
    log the auditor reads. Returns the temporary password (shown once, never stored)."""
    if not actor.has_perm(RESET_PASSWORD):
        raise PermissionDenied("强制重置密码须由系统管理员进行。")
    if staff.pk == actor.pk:
        raise PermissionDenied("不能重置自己的密码，请使用「修改密码」。")
    if staff.is_superuser or (staff.position_id and staff.position.is_administrator):
        # Otherwise the system administrator could log in as the security administrator or
        # the auditor with the temporary password and undo the separation of duties.
        raise PermissionDenied("三员及超级用户账号的密码不能由系统管理员重置。")
    temporary = generate_temporary_password(staff)
    staff.set_password(temporary)
    staff.password_change_required = True
    staff.save(update_fields=["password", "password_change_required"])
    AuthToken.objects.filter(user=staff).delete()
    LogEntry.objects.log_actions(
        actor.pk,
        [staff],
        CHANGE,
        "强制重置密码：发放临时密码，首次登录须修改；已作废该账号的全部令牌和会话。",
        single_object=True,
    )
    security_log.warning("password of %s reset by %s", staff.username, actor.username)
    return temporary
