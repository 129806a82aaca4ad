"""The registry of rights that feature apps give the standard positions. Each app declares
its grants in its own `permissions.py` and registers them from `AppConfig.ready()`, so org
(below the feature apps) never imports one; `org.positions` adds them to its own table
when it is read, after every app is ready."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ImproperlyConfigured

# app label -> standard position code -> "app_label.codename" rights
_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {}


def register_grants(
    app_label: str,
    grants: Mapping[str, Iterable[str]],
    *,
    admin: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """Give standard positions rights on `app_label`'s models. Rights for the administrator
    positions (三员) go in `admin`, never in `grants`, so each one is a visible decision:
    they become part of what the position may hold at all (`admin_permissions`)."""
    from lossdesk.org.positions import ADMIN_POSITIONS, STANDARD_POSITIONS

    admin = admin or {}
    problems = [
        f"{code} is not a standard position"
        for code in {*grants, *admin}
        if code not in STANDARD_POSITIONS
    ]
    problems += [
        f"{code} is an administrator position" for code in grants if code in ADMIN_POSITIONS
    ]
    problems += [
        f"{code} is not an administrator position" for code in admin if code not in ADMIN_POSITIONS
    ]
    combined = {code: tuple(perms) for code, perms in {**grants, **admin}.items()}
    problems += [
        f"{perm} is not a right on {app_label}"
        for perms in combined.values()
        for perm in perms
        if not perm.startswith(f"{app_label}.")
    ]
    if problems:
        raise ImproperlyConfigured(f"register_grants({app_label!r}): {'; '.join(problems)}")
    _GRANTS[app_label] = combined


def registered_grants(code: str) -> frozenset[str]:
    return frozenset(perm for grants in _GRANTS.values() for perm in grants.get(code, ()))


def grant_missing_permissions(sender, using="default", **kwargs) -> None:
    """post_migrate of a feature app: a standard position that holds none of the app's rights
    yet (an existing database that gains the app) receives the registered ones; a position
    an administrator already edited is left alone. New databases get them when org creates
    the positions. Not a migration: an app's permission rows only exist after migrate."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    from lossdesk.org.models import Position
    from lossdesk.org.positions import permissions_by_name

    create_permissions(sender, verbosity=0, using=using)
    for code, names in _GRANTS.get(sender.label, {}).items():
        position = Position.objects.using(using).filter(code=code).first()
        if position is None:
            continue
        if position.permissions.filter(content_type__app_label=sender.label).exists():
            continue
        position.permissions.add(*permissions_by_name(list(names), Permission, using))
