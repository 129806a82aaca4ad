"""Form and API fields over the one money parser (`lossdesk.rules.money.parse_amount`),
so a page and the API accept the same text and give the same message."""

from decimal import Decimal

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lossdesk.rules.money import MAX_TEXT, MONEY, PATTERN, Amount, AmountError, parse_amount


class AmountFormField(forms.Field):
    """A typed amount; a text input so "1,280.00" and "¥1280" can be typed."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, kind: Amount = MONEY, positive: bool = False, **kwargs):
        self.kind, self.positive = kind, positive
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, self.kind, positive=self.positive)
        except AmountError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "pattern": PATTERN, "maxLength": MAX_TEXT, "example": "1280.00"},
            {"type": "number", "minimum": 0},
        ],
        "description": "金额：数字或字符串，可带千分位、全角数字、¥ 或 元；最多两位小数。",
    }
)
class AmountField(serializers.Field):
    """A typed amount in the API; shown as a string with the column's decimals."""

    def __init__(self, *, kind: Amount = MONEY, positive: bool = False, **kwargs):
        self.kind, self.positive = kind, positive
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return parse_amount(data, self.kind, positive=self.positive)
        except AmountError as exc:
            raise serializers.ValidationError(exc.message, code="invalid") from None

    def to_representation(self, value):
        return format(Decimal(value).quantize(Decimal(10) ** -self.kind.places), "f")
