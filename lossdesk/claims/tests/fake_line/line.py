from decimal import Decimal

from django.db.models import Sum
from rest_framework import serializers

from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.registry import LossLine, register_loss_line
from lossdesk.claims.tests.fake_line.models import Valuation


class ValuationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Valuation
        fields = ["number", "total"]
        read_only_fields = fields


def total(items) -> Decimal:
    return Valuation.objects.filter(loss_item__in=items).aggregate(t=Sum("total"))["t"] or 0


def unassessed(item) -> str | None:
    return None if hasattr(item, "valuation") else f"{item.label} 尚未估损。"


def prepared_by(items, actor) -> bool:
    return items.filter(valuation__assessor=actor).exists()


PROPERTY_LINE = LossLine(
    name="fake-property",
    kinds=frozenset({LossItemKind.PROPERTY}),
    document="valuation",
    document_label="估损单",
    total=total,
    unassessed=unassessed,
    prepared_by=prepared_by,
    review_template="fake_line/review.html",
    pdf_template="fake_line/pdf.html",
    api_serializer=lambda: ValuationSerializer,
    select_related=("valuation__assessor",),
)


def register() -> None:
    register_loss_line(PROPERTY_LINE)
