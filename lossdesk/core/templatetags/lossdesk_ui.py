"""Template helpers shared by every page: money, masked phones and ID numbers, Bootstrap
form fields and pagination. `{% load lossdesk_ui %}`; the case status badge is in claims_ui."""

from decimal import Decimal, InvalidOperation

from django import forms, template

from lossdesk.core.masking import mask_id_number, medical_for, phone_for, reveal

register = template.Library()


@register.filter
def money(value, empty: str = "—"):
    """Decimal → "12,345.60"; None/"" → a dash. Never goes through float."""
    if value is None or value == "":
        return empty
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return f"{number.quantize(Decimal('0.01')):,}"


@register.filter
def percent(value, empty: str = "—"):
    """A share (Decimal 0.0523) → "5.2%"; None → a dash."""
    if value is None or value == "":
        return empty
    return f"{Decimal(str(value)) * 100:.1f}%"


@register.simple_tag(takes_context=True)
def phone(context, value: str, field: str, case_no: str = "", person: str = ""):
    """A personal phone number, masked unless the viewer's position may see it in full
    (then recorded as `field` of the case or person)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return phone_for(user, value or "", field=field, case_no=case_no, person=person) or "—"


@register.simple_tag(takes_context=True)
def id_number(context, value: str, case_no: str = "", person: str = ""):
    """An ID number, masked unless the viewer's position may see it in full (recorded)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    masked = mask_id_number(value or "")
    shown = reveal(
        user, value or "", masked=masked, field="id_number", case_no=case_no, person=person
    )
    return shown or "—"


@register.simple_tag(takes_context=True)
def medical(context, value: str, case_no: str = "", person: str = ""):
    """Medical details, hidden unless the viewer's position may see personal data (recorded)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return medical_for(user, value or "", case_no=case_no, person=person) or "—"


def _widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.inclusion_tag("ui/field.html")
def field(bound_field, size: str = "sm", label: bool = True):
    """`{% field form.plate %}`: label, widget with Bootstrap classes, help and errors."""
    widget = bound_field.field.widget
    css = _widget_class(widget)
    if css != "form-check-input" and size:
        css += f" {css}-{size}"
    if bound_field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return {
        "field": bound_field,
        "widget": bound_field.as_widget(attrs={"class": f"{existing} {css}".strip()}),
        "is_check": isinstance(widget, forms.CheckboxInput),
        "is_choice_list": isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple),
        "show_label": label,
    }


@register.inclusion_tag("ui/form_errors.html")
def form_errors(form):
    """Non-field errors plus the errors of hidden fields (e.g. a stale `version`)."""
    errors = list(form.non_field_errors())
    for hidden in form.hidden_fields():
        errors.extend(hidden.errors)
    return {"errors": errors}


@register.simple_tag
def page_links(page_obj):
    """Page numbers around the current one, with … for the gaps (ui/pagination.html)."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2)
