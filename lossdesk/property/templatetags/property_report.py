"""What the review page and the adjusting report show of a property item:
`{% load property_report %}`."""

from decimal import Decimal

from django import template

from lossdesk.property import services

register = template.Library()


@register.simple_tag
def recommended_settlement(item) -> Decimal | None:
    return services.recommended_settlement(item)
