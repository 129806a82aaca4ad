"""`{% load reports_ui %}`: statistics cells formatted by column kind."""

from django import template

from lossdesk.reports.charts import format_value

register = template.Library()


@register.simple_tag
def stat(row, column) -> str:
    """`{% stat row column %}` → the row's figure for the column, formatted."""
    return format_value(row.values.get(column.key), column.kind)
