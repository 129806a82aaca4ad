"""Fee contracts (收费协议): what a client pays for each case of a line, dated and versioned.

A contract row is never changed: a change of terms is a new version of the client's line
(services.do_create_fee_contract). On a date the contract in force is the highest version
whose dates cover it, so a new version supersedes the older ones from its effective date,
and the older ones still apply to the dates only they cover (docs/billing.md)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from lossdesk.billing.choices import FeeLineChoices, FeeModeChoices
from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet
from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.fees import FeeTerms, parse_terms

NOTE_MAX = 500


class FeeContractQuerySet(AppendOnlyQuerySet):
    def for_user(self, user, action: str = "view"):
        """Contracts are the firm's terms with its clients, the same for every branch: a user
        sees them all with the right to (`billing.view_feecontract`), else none."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self if user.has_perm(f"billing.{action}_feecontract") else self.none()

    def with_latest(self):
        """Annotates `latest`: no higher version of the same client and line exists."""
        newer = FeeContract.objects.filter(
            client=OuterRef("client"), line=OuterRef("line"), version__gt=OuterRef("version")
        )
        return self.annotate(latest=~Exists(newer))

    def covering(self, on_date):
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on_date),
            effective_from__lte=on_date,
        )

    def in_force(self, client, line: str, on_date):
        """The contract of `client` and `line` in force on `on_date`, or None."""
        return self.filter(client=client, line=line).covering(on_date).order_by("-version").first()


class FeeContract(AppendOnlyModel):
    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="fee_contracts", verbose_name="委托方"
    )
    line = models.CharField("险种线", max_length=10, choices=FeeLineChoices.choices)
    version = models.PositiveIntegerField("版本", help_text="同一委托方、同一险种线内从 1 起。")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "失效日期", null=True, blank=True, help_text="含当日；不填为长期有效。"
    )
    terms = models.JSONField("收费条款", help_text="收费方式与各项金额、费率（docs/billing.md）。")
    note = models.CharField("备注", max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = FeeContractQuerySet.as_manager()

    class Meta:
        verbose_name = "收费协议"
        verbose_name_plural = "收费协议"
        ordering = ["client", "line", "-version"]
        default_permissions = ("view", "add")  # a change is a new version; nothing is deleted
        constraints = [
            models.UniqueConstraint(
                fields=["client", "line", "version"], name="uniq_fee_contract_version"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="fee_contract_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["client", "line", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.client} {self.get_line_display()} 第 {self.version} 版"

    @property
    def mode(self) -> str:
        return self.terms.get("mode", "") if isinstance(self.terms, dict) else ""

    def get_mode_display(self) -> str:
        return FeeModeChoices(self.mode).label if self.mode in FeeModeChoices.values else ""

    @property
    def fee_terms(self) -> FeeTerms:
        return parse_terms(self.terms)

    def save(self, *args, **kwargs) -> None:
        """Stores the terms as the rules read them (canonical); terms the rules refuse are a
        ValidationError on `terms` naming the key, whoever saves."""
        try:
            self.terms = parse_terms(self.terms).as_json()
        except RuleInputError as exc:
            found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
            raise ValidationError({"terms": [f"{e.field}：{e.message}" for e in found]}) from None
        super().save(*args, **kwargs)
