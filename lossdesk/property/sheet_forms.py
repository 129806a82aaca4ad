"""Forms of the property sheet editor (物损定损单).

A line form only carries the raw text of each cell: numbers, dates, treatments and the
salvage rule are checked by `property.services.clean_lines`, the one place that validates a
sheet, so the page and the API report the same errors."""

from django import forms

from lossdesk.claims.sheet_editing import BaseLineFormSet, SheetVersionForm, plain
from lossdesk.core.limits import TEXT_MAX
from lossdesk.property.choices import Treatment
from lossdesk.property.models import PropertySheetLine
from lossdesk.property.services import MAX_LINES

LINE_FIELDS = (
    "name",
    "specification",
    "unit",
    "treatment",
    "quantity",
    "unit_price",
    "purchase_date",
    "months_used",
    "useful_life_years",
    "salvage_value",
    "remarks",
)
# Blank rows shown under the lines, and how many the "add rows" button adds.
EXTRA_ROWS = 3
ADD_ROWS = 3
# The <datalist> of the useful-life defaults: picking one fills a line's years, no JS needed.
USEFUL_LIFE_LIST = "useful-life-defaults"


def _max_length(name: str) -> int:
    return PropertySheetLine._meta.get_field(name).max_length


def _text(label: str, max_length: int, css: str = "", widget=forms.TextInput, **attrs):
    # The length is only a hint to the browser: the service checks it with the rest.
    widget_attrs = {
        "class": f"form-control form-control-sm {css}".strip(),
        "maxlength": max_length,
        **attrs,
    }
    return forms.CharField(
        label=label, required=False, strip=True, widget=widget(attrs=widget_attrs)
    )


def _number(label: str, **attrs):
    # Text, not DecimalField: the service reports bad numbers together with every other
    # error of the sheet, and what the user typed is shown back unchanged.
    attrs = {"inputmode": "decimal", "autocomplete": "off", **attrs}
    return _text(label, 20, "text-end", **attrs)


class PropertyLineForm(forms.Form):
    name = _text("名称", _max_length("name"))
    specification = _text("规格", _max_length("specification"))
    unit = _text("单位", _max_length("unit"))
    treatment = forms.CharField(
        label="处理方式",
        required=False,
        widget=forms.Select(
            choices=[("", "—"), *Treatment.choices], attrs={"class": "form-select form-select-sm"}
        ),
    )
    quantity = _number("数量", placeholder="1")
    unit_price = _number("单价")
    purchase_date = _text("购置日期", 10, widget=forms.DateInput, type="date")
    months_used = _number("已使用月数", inputmode="numeric")
    useful_life_years = _number("使用年限(年)", list=USEFUL_LIFE_LIST)
    salvage_value = _number("残值")
    remarks = _text("备注", _max_length("remarks"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)

    def is_blank(self) -> bool:
        """A row with nothing typed in it (or marked for deletion) is not a line."""
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("DELETE"):
            return True
        return not any(str(data.get(name) or "").strip() for name in LINE_FIELDS)

    def as_line(self) -> dict:
        return {name: str(self.cleaned_data.get(name) or "").strip() for name in LINE_FIELDS}


PropertyLineFormSet = forms.formset_factory(
    PropertyLineForm,
    formset=BaseLineFormSet,
    extra=EXTRA_ROWS,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES + 100,
)


def line_initial(line: PropertySheetLine) -> dict:
    return {
        "name": line.name,
        "specification": line.specification,
        "unit": line.unit,
        "treatment": line.treatment,
        "quantity": plain(line.quantity),
        "unit_price": plain(line.unit_price),
        "purchase_date": line.purchase_date.isoformat() if line.purchase_date else "",
        "months_used": "" if line.months_used is None else str(line.months_used),
        "useful_life_years": plain(line.useful_life_years),
        "salvage_value": plain(line.salvage_value) if line.salvage_value else "",
        "remarks": line.remarks,
    }


class PropertySheetHeaderForm(SheetVersionForm):
    remarks = forms.CharField(
        label="定损说明",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
