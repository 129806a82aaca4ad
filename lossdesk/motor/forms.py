"""Forms of the assessment-sheet editor (定损单).

The line form only carries the raw text of each cell: numbers, kinds and the salvage rule
are checked by `motor.services.clean_lines`, the one place that validates a sheet, so the
editor and the API report the same errors."""

from django import forms
from django.db.models import Q

from lossdesk.claims.sheet_editing import BaseLineFormSet, SheetVersionForm, plain
from lossdesk.core.limits import TEXT_MAX
from lossdesk.motor.choices import LineKind
from lossdesk.motor.models import AssessmentLine, AssessmentSheet
from lossdesk.motor.services import MAX_LINES
from lossdesk.org.models import RepairShop

LINE_FIELDS = ("kind", "name", "part_no", "quantity", "unit_price", "salvage_value", "remarks")
# Blank rows shown under the lines, and how many the "add rows" button adds.
EXTRA_ROWS = 5
ADD_ROWS = 5


def _text(label: str, max_length: int, css: str = "", **attrs) -> forms.CharField:
    # The length is only a hint to the browser: the service checks it with the rest.
    widget_attrs = {
        "class": f"form-control form-control-sm {css}".strip(),
        "maxlength": max_length,
        **attrs,
    }
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _number(label: str, css: str, **attrs) -> forms.CharField:
    # Text, not DecimalField: the service reports bad numbers together with every other
    # error of the sheet, and what the user typed is shown back unchanged.
    return _text(label, 20, f"text-end {css}", inputmode="decimal", autocomplete="off", **attrs)


class LineForm(forms.Form):
    kind = forms.CharField(
        label="类别",
        required=False,
        widget=forms.Select(
            choices=[("", "—"), *LineKind.choices],
            attrs={"class": "form-select form-select-sm js-kind"},
        ),
    )
    name = _text("项目名称", AssessmentLine._meta.get_field("name").max_length)
    part_no = _text("配件编号(OE)", AssessmentLine._meta.get_field("part_no").max_length)
    quantity = _number("数量", "js-quantity", placeholder="1")
    unit_price = _number("单价", "js-unit-price")
    salvage_value = _number("残值", "js-salvage")
    remarks = _text("备注", AssessmentLine._meta.get_field("remarks").max_length)

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
        data = {name: str(self.cleaned_data.get(name) or "").strip() for name in LINE_FIELDS}
        data["quantity"] = data["quantity"] or "1"
        return data


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=EXTRA_ROWS,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES + 100,
)


def line_initial(line: AssessmentLine) -> dict:
    return {
        "kind": line.kind,
        "name": line.name,
        "part_no": line.part_no,
        "quantity": plain(line.quantity),
        "unit_price": plain(line.unit_price),
        "salvage_value": plain(line.salvage_value) if line.salvage_value else "",
        "remarks": line.remarks,
    }


class SheetHeaderForm(SheetVersionForm):
    repair_shop = forms.ModelChoiceField(
        label="修理厂",
        queryset=RepairShop.objects.none(),
        required=False,
        empty_label="（未指定）",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    vehicle_model = forms.CharField(
        label="车型",
        max_length=AssessmentSheet._meta.get_field("vehicle_model").max_length,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    remarks = forms.CharField(
        label="定损说明",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, case, sheet: AssessmentSheet | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Active shops of the case's branch, plus the one already on the sheet (it may since
        # have been deactivated) so re-saving a sheet never fails on its own repair shop.
        scope = Q(branch_id=case.branch_id, active=True)
        if sheet is not None and sheet.repair_shop_id:
            scope |= Q(pk=sheet.repair_shop_id)
        self.fields["repair_shop"].queryset = RepairShop.objects.filter(scope).order_by("name")
