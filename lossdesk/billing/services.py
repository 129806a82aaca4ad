"""Every write of billing: `do_<verb>_<noun>(…, *, actor)`, one transaction, permission-checked.

A fee contract binds every branch of the firm, so only a user who may add contracts and whose
data scope covers the head office (the root of the organisation tree) makes one."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max

from lossdesk.billing.models import FeeContract
from lossdesk.billing.permissions import ADD_FEE_CONTRACT
from lossdesk.core.errors import Conflict, ErrorCode, PermissionDenied, ServiceError
from lossdesk.org.models import Branch, Client
from lossdesk.org.scoping import covers_branch
from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.fees import FeeTerms, parse_terms


def may_write_fee_contracts(user) -> bool:
    """Holds the right and reaches the head office: HQ finance, the system administrator."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm(ADD_FEE_CONTRACT)):
        return False
    roots = list(Branch.objects.filter(parent__isnull=True))
    return bool(roots) and all(covers_branch(user, root) for root in roots)


def check_terms(terms, field: str = "terms") -> FeeTerms:
    """The rules' check of a contract's terms as a 400 naming each bad key under `field`."""
    try:
        return parse_terms(terms)
    except RuleInputError as exc:
        found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
        fields: dict[str, list[str]] = {}
        for error in found:
            fields.setdefault(f"{field}.{error.field}", []).append(error.message)
        raise ServiceError(exc.message, code=ErrorCode.INVALID, fields=fields) from None


def do_create_fee_contract(
    *,
    client: Client,
    line: str,
    effective_from: date,
    terms,
    effective_to: date | None = None,
    note: str = "",
    previous_version: int | None = None,
    actor,
) -> FeeContract:
    """A new version of `client`'s contract for `line`: the next number, whatever the dates.
    `previous_version`, when given, is the version the author saw (0: none); another version
    made since is a conflict, so two people never supersede each other unknowingly."""
    if not may_write_fee_contracts(actor):
        raise PermissionDenied("只有总部财务（或系统管理员）可以录入收费协议。")
    checked = check_terms(terms)
    if effective_to is not None and effective_to < effective_from:
        message = "失效日期不能早于生效日期。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"effective_to": [message]})
    try:
        with transaction.atomic():
            # One writer per client at a time: the version numbers follow one another.
            Client.objects.select_for_update().filter(pk=client.pk).first()
            current = (
                FeeContract.objects.filter(client=client, line=line).aggregate(n=Max("version"))[
                    "n"
                ]
                or 0
            )
            if previous_version is not None and previous_version != current:
                raise Conflict(
                    f"该委托方此险种线的收费协议已有第 {current} 版，请在最新版本的基础上修改。",
                    current_version=current,
                )
            return FeeContract.objects.create(
                client=client,
                line=line,
                version=current + 1,
                effective_from=effective_from,
                effective_to=effective_to,
                terms=checked.as_json(),
                note=note,
                created_by=actor,
            )
    except IntegrityError:  # a concurrent writer took the number (the lock makes it rare)
        raise Conflict("收费协议刚被他人修改，请刷新后重试。") from None


def contract_in_force(client: Client, line: str, on_date: date) -> FeeContract | None:
    """The contract of `client` and `line` in force on `on_date`: the highest version whose
    dates cover it (a new version supersedes the older ones from its effective date)."""
    return FeeContract.objects.in_force(client, line, on_date)
