"""What the review page and the adjusting report show of a property item:
`{% load property_report %}`."""

from decimal import Decimal

from django import template

from lossdesk.property import services
from lossdesk.rules import property as rule
from lossdesk.rules.money import fmt_pct

register = template.Library()


@register.filter
def rate_pct(line) -> str:
    """A sheet line's 成新率 as a percentage to two decimals ("62.5%", "92.71%"), marked at
    the floor; a line that does not depreciate shows none."""
    if rule.Treatment(line.treatment) not in rule.DEPRECIATED:
        return "—"
    text = fmt_pct(line.depreciation_rate.quantize(Decimal("0.0001")))
    return f"{text}（下限）" if line.floored else text


@register.simple_tag
def recommended_settlement(item) -> Decimal | None:
    return services.recommended_settlement(item)
