"""The standard positions and the permission behind each action: the one place that says who
may do what. The table below holds the organisation- and case-level rights; feature apps
register their own (org.permissions) and `standard_permissions` adds them when read.
Administrators can edit business positions later; migrations only add what is missing. The
three administrator positions (三员) are fixed here: they hold exactly their listed
permissions, re-synced on every migrate, and can never carry any other permission."""

import uuid

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from lossdesk.org.choices import DataScope
from lossdesk.org.permissions import registered_grants


def _crud(model: str, app: str = "org", actions: str = "view add change") -> list[str]:
    return [f"{app}.{a}_{model}" for a in actions.split()]


# Business actions on a case, each a permission on claims.Case.
CASE_VIEW = "claims.view_case"
CASE_DISPATCH = "claims.dispatch_case"
CASE_SURVEY = "claims.survey_case"
CASE_ASSESS = "claims.assess_case"
CASE_REVIEW = "claims.review_case"
CASE_REVIEW_SECOND = "claims.review_case_second"
CASE_REQUEST_DOCUMENTS = "claims.request_documents"
CASE_ISSUE_REPORT = "claims.issue_report"
CASE_CLOSE = "claims.close_case"
CASE_CANCEL = "claims.cancel_case"
VIEW_PII = "org.view_pii"
VIEW_AUDIT_LOG = "org.view_audit_log"
RESET_PASSWORD = "org.reset_password"
# Login attempts (django-axes): deleting a locked username's attempts unlocks it.
UNLOCK_LOGIN = ["axes.view_accessattempt", "axes.delete_accessattempt"]
SECURITY_LOG = ["axes.view_accessattempt", "axes.view_accessfailurelog", "axes.view_accesslog"]

STANDARD_POSITIONS: dict[str, tuple[str, str, list[str], str]] = {
    # code: (name, data scope, permissions besides the feature apps' grants, description)
    "system_admin": (
        "系统管理员",
        DataScope.ALL,
        _crud("branch")
        + _crud("staff")
        + _crud("client")
        + _crud("clientbranch")
        + _crud("clientcontact")
        + _crud("repairshop")
        + [RESET_PASSWORD],
        "维护机构、员工账号、委托方和修理厂，可强制重置密码；不能分配岗位、不能查看审计日志、"
        "不能办案。",
    ),
    "security_admin": (
        "安全管理员",
        DataScope.ALL,
        ["org.view_staff", "org.assign_position", *_crud("position"), *UNLOCK_LOGIN],
        "维护业务岗位权限、给员工分配岗位、解锁被锁定的登录；不能建账号、不能查看审计日志、"
        "不能办案。",
    ),
    "auditor": (
        "审计员",
        DataScope.ALL,
        [VIEW_AUDIT_LOG, "claims.view_caseevent", "admin.view_logentry", *SECURITY_LOG],
        "查看审计日志与案件操作记录；不能修改任何数据。",
    ),
    "branch_manager": (
        "机构负责人",
        DataScope.SUBTREE,
        [
            CASE_VIEW,
            CASE_DISPATCH,
            CASE_REVIEW,
            CASE_REVIEW_SECOND,
            CASE_REQUEST_DOCUMENTS,
            CASE_ISSUE_REPORT,
            CASE_CLOSE,
            CASE_CANCEL,
            VIEW_PII,
        ],
        "本机构及下级机构的全部案件业务。",
    ),
    "dispatcher": (
        "调度员",
        DataScope.BRANCH,
        [CASE_VIEW, CASE_DISPATCH, CASE_CANCEL, VIEW_PII],
        "登记报案、调度查勘员、委托异地、客户回访、注销案件。",
    ),
    "surveyor": (
        "查勘员",
        DataScope.OWN,
        [CASE_VIEW, CASE_SURVEY, CASE_ASSESS, CASE_REQUEST_DOCUMENTS, VIEW_PII],
        "接受调度、现场查勘、定损，只看本人案件。",
    ),
    "assessor": (
        "定损员",
        DataScope.BRANCH,
        [CASE_VIEW, CASE_ASSESS, CASE_REQUEST_DOCUMENTS],
        "编制定损单。",
    ),
    "reviewer": (
        "审核员",
        DataScope.SUBTREE,
        [
            CASE_VIEW,
            CASE_REVIEW,
            CASE_REVIEW_SECOND,
            CASE_REQUEST_DOCUMENTS,
            CASE_ISSUE_REPORT,
            CASE_CLOSE,
        ],
        "核损审核（一级、二级）、出具公估报告、结案。",
    ),
    "price_desk": (
        "报价员",
        DataScope.SUBTREE,
        [],  # every right of the price desk is a parts right
        "回复人工报价、维护本地价格、导入配件目录；不能办案。",
    ),
    "quality_committee": (
        "品质管理委员",
        DataScope.SUBTREE,
        [CASE_VIEW],  # the quality rights are quality's grants (quality/permissions.py)
        "品质管理委员会成员：违规展业登记与申诉裁决、品行评定、投诉与举报处理；不能办案。",
    ),
    "finance": (
        "财务",
        DataScope.SUBTREE,
        [CASE_VIEW],
        "查看案件以便收费与对账。",
    ),
}

ADMIN_POSITIONS = ("system_admin", "security_admin", "auditor")


def standard_permissions(code: str) -> frozenset[str]:
    """The rights ("app_label.codename") a standard position starts with: its list above plus
    what the feature apps registered for it."""
    return frozenset(STANDARD_POSITIONS[code][2]) | registered_grants(code)


def admin_permissions(code: str) -> frozenset[str]:
    """Every permission an administrator position may hold: its standard rights, including the
    maintenance rights feature apps register for it as `admin` (SMS templates and the SMS
    log, the calculators' standards tables, the personal-data access log). Nothing else,
    business rights least of all."""
    return standard_permissions(code)


def permission_name(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def refuse_foreign_permissions(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed on Position.permissions: an administrator position never receives a
    permission outside admin_permissions(), whatever path adds it (admin, API, shell, a
    migration), from either side of the relation."""
    if action != "pre_add" or not pk_set:
        return
    from django.core.exceptions import ValidationError

    from lossdesk.org.models import Position

    if reverse:  # permission.position_set.add(...)
        positions = list(Position.objects.filter(pk__in=pk_set, code__in=ADMIN_POSITIONS))
        added = [instance]
    else:
        positions = [instance] if instance.code in ADMIN_POSITIONS else []
        added = list(model.objects.filter(pk__in=pk_set).select_related("content_type"))
    for position in positions:
        foreign = sorted({permission_name(p) for p in added} - admin_permissions(position.code))
        if foreign:
            raise ValidationError(
                {
                    "permissions": [
                        f"「{position.name}」是三员岗位，不能拥有权限：{'、'.join(foreign)}。"
                    ]
                }
            )


def permissions_changed(sender, action=None, using="default", **kwargs) -> None:
    """m2m_changed on Position.permissions (either side) and post_delete of a Permission
    (whose position rows go with it, without m2m_changed): every position gets a new
    permissions token, so no process goes on using what it remembered of them. Changes are
    rare (an administrator editing a position), so all positions at once, in one statement,
    rather than working out which side changed."""
    if action not in (None, "post_add", "post_remove", "post_clear"):
        return
    from lossdesk.org.models import Position

    Position.objects.using(using).update(permissions_token=uuid.uuid4())


def ensure_standard_positions(sender=None, apps=global_apps, using="default", **kwargs) -> None:
    """post_migrate: create the standard positions that do not exist yet (edits survive)."""
    if sender is not None and sender.label != "org":
        return
    for app_config in global_apps.get_app_configs():  # permissions of apps migrated after org
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    from django.contrib.auth.models import Permission

    from lossdesk.org.models import Position

    for code, (name, scope, _, description) in STANDARD_POSITIONS.items():
        position, created = Position.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "data_scope": scope, "description": description}
        )
        if created:
            position.permissions.set(
                permissions_by_name(sorted(standard_permissions(code)), Permission, using)
            )
        if code in ADMIN_POSITIONS:
            # Fixed by regulation, not by configuration: repair whatever an older release or a
            # direct database edit left (a business permission on an administrator position).
            allowed = permissions_by_name(sorted(admin_permissions(code)), Permission, using)
            position.permissions.set(allowed)


def permissions_by_name(names: list[str], permission_model, using: str = "default") -> list:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(
            permission_model.objects.using(using).get(
                content_type__app_label=app_label, codename=codename
            )
        )
    return found
