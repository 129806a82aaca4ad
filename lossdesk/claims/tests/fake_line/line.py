from rest_framework import serializers

from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.registry import LossLine, register_loss_line
from lossdesk.claims.tests.fake_line.models import Valuation


class ValuationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Valuation
        fields = ["number", "total"]
        read_only_fields = fields


def unassessed(item) -> str | None:
    return None if hasattr(item, "valuation") else f"{item.label} 尚未估损。"


PROPERTY_LINE = LossLine(
    name="fake-property",
    kinds=frozenset({LossItemKind.PROPERTY}),
    document="valuation",
    document_label="估损单",
    number_field="number",
    unassessed=unassessed,
    review_template="fake_line/review.html",
    pdf_template="fake_line/pdf.html",
    api_serializer=lambda: ValuationSerializer,
    select_related=("valuation__assessor",),
)


def register() -> None:
    register_loss_line(PROPERTY_LINE)
