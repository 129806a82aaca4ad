"""Calculator pages (理算工具): VIN, actual value and total loss, CTPL, commercial, injury,
and the standards in force. Any logged-in staff member may use them; nothing is saved.

Each calculator parses its form (and formsets), hands the same dict the API would build to
`calc.calculations`, and shows the result with its explanation under the form. A rule's
input error is put on the field (or formset row) it names."""

from collections.abc import Callable

from django import forms as django_forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from lossdesk.calc import calculations, forms, standards
from lossdesk.calc.choices import VehicleClassChoices, VehicleUseChoices
from lossdesk.calc.models import CompensationStandard, CtplLimitTable, WmiEntry
from lossdesk.rules.errors import RuleInputError

CALCULATORS = [
    ("calc:vin", "VIN 解码", "校验位、WMI 制造厂、国家/地区、年款。"),
    (
        "calc:actual-value",
        "折旧与实际价值",
        "按月折旧系数表计算折旧与实际价值（80% 上限），并做推定全损测试。",
    ),
    (
        "calc:ctpl",
        "交强险分摊",
        "多车事故按各车适用限额分摊、超限额压缩、无责代赔与互碰自赔检查。",
    ),
    ("calc:commercial", "商业险赔款", "商业三者险与车损险赔款，含免赔率、残值、全损。"),
    (
        "calc:injury",
        "人身损害赔偿",
        "法释〔2022〕14号各项：医疗、误工、护理、残疾/死亡赔偿金、被扶养人生活费等。",
    ),
]


class IndexView(LoginRequiredMixin, TemplateView):
    template_name = "calc/index.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "calculators": CALCULATORS,
            "nav": "calc",
            "title": "理算工具",
            "is_index": True,
        }


class StandardsView(LoginRequiredMixin, TemplateView):
    """The standards the calculators use, with their sources (read-only)."""

    template_name = "calc/standards.html"

    def get_context_data(self, **kwargs):
        tables = []
        for row, table in standards.all_depreciation_tables():
            grid = [
                (
                    label,
                    [table.rates.get((cls, use)) for use in _uses()],
                )
                for cls, label in _classes()
            ]
            tables.append({"row": row, "grid": grid})
        return {
            **super().get_context_data(**kwargs),
            "nav": "calc",
            "title": "现行标准",
            "compensation_standards": compensation_rows(),
            "ctpl_tables": CtplLimitTable.objects.order_by("-effective_from"),
            "depreciation_tables": tables,
            "uses": VehicleUseChoices.choices,
            "wmis": WmiEntry.objects.order_by("wmi"),
        }


def compensation_rows() -> list[CompensationStandard]:
    """The compensation standards, each with `in_force` (its accident dates)."""
    spans = standards.standard_periods()
    rows = list(CompensationStandard.objects.order_by("province", "-data_year", "region"))
    for row in rows:
        row.in_force = spans[row.pk].period
    return rows


def _classes():
    from lossdesk.rules.depreciation import VehicleClass

    return [(VehicleClass(value), label) for value, label in VehicleClassChoices.choices]


def _uses():
    from lossdesk.rules.depreciation import VehicleUse

    return [VehicleUse(value) for value, _ in VehicleUseChoices.choices]


def field_for(form, path: str, prefixes: dict[str, str]) -> str | None:
    """The form field a rule's dotted field path belongs to, or None (a general error)."""
    parts = path.split(".")
    candidates = []
    if parts[0] in prefixes and len(parts) > 1:
        candidates.append(prefixes[parts[0]] + parts[1])
    candidates += [path.replace(".", "_"), parts[0]]
    return next((name for name in candidates if name in form.fields), None)


class CalculatorView(LoginRequiredMixin, View):
    """GET: the empty form. POST: validate, calculate, show the result or the errors."""

    template_name = ""
    title = ""
    form_class: type = forms.ActualValueForm
    formset_classes: dict[str, type] = {}
    # Further forms of the page by name (in the template as `<name>_form`, prefixed by the
    # name); `to_data` reads them from `self.extra_forms`.
    extra_form_classes: dict[str, type] = {}
    calculation: Callable[[dict], dict]
    prefixes: dict[str, str] = {}

    def get(self, request):
        formsets = {name: cls(prefix=name) for name, cls in self.formset_classes.items()}
        self.extra_forms = {name: cls(prefix=name) for name, cls in self.extra_form_classes.items()}
        return self.render(self.form_class(), formsets)

    def post(self, request):
        form = self.form_class(request.POST)
        formsets = {
            name: cls(request.POST, prefix=name) for name, cls in self.formset_classes.items()
        }
        self.extra_forms = {
            name: cls(request.POST, prefix=name) for name, cls in self.extra_form_classes.items()
        }
        result = None
        valid = form.is_valid()
        valid = all([fs.is_valid() for fs in formsets.values()]) and valid
        valid = all([f.is_valid() for f in self.extra_forms.values()]) and valid
        if valid:
            rows = {
                name: [i for i, f in enumerate(fs.forms) if f.cleaned_data]
                for name, fs in formsets.items()
            }
            row_data = {
                name: [formsets[name].forms[i].cleaned_data for i in indexes]
                for name, indexes in rows.items()
            }
            try:
                result = self.calculation(self.to_data(form, row_data))
            except RuleInputError as exc:
                self.attach_error(form, formsets, rows, exc)
        return self.render(form, formsets, result)

    def to_data(self, form, rows: dict[str, list[dict]]) -> dict:
        return form.to_data()

    def prefixes_for(self, form) -> dict[str, str]:
        return self.prefixes

    def attach_error(self, form, formsets, rows, exc: RuleInputError) -> None:
        parts = exc.field.split(".")
        if parts[0] in formsets:
            if len(parts) > 2 and parts[1].isdigit() and int(parts[1]) < len(rows[parts[0]]):
                row = formsets[parts[0]].forms[rows[parts[0]][int(parts[1])]]
                if parts[2] in row.fields:
                    row.add_error(parts[2], exc.message)
                    return
            form.add_error(None, exc.message)
            return
        name = field_for(form, exc.field, self.prefixes_for(form))
        form.add_error(name, exc.message)

    def render(self, form, formsets, result=None):
        context = {
            "nav": "calc",
            "title": self.title,
            "form": form,
            "formsets": formsets,
            "result": result,
            "input_rows": [row for f in (form, *self.extra_forms.values()) for row in input_rows(f)]
            if result
            else [],
            **{f"{name}_formset": fs for name, fs in formsets.items()},
            **{f"{name}_form": f for name, f in self.extra_forms.items()},
        }
        return render(self.request, self.template_name, context)


def input_rows(form) -> list[tuple[str, str]]:
    """(label, value) of every field the user filled, as typed choices shown by their label."""
    rows = []
    for name, value in form.cleaned_data.items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        field = form.fields[name]
        if isinstance(field, django_forms.BooleanField):
            if not value:
                continue
            shown = "是"
        elif hasattr(field, "choices") and not isinstance(field, django_forms.ModelChoiceField):
            shown = dict(field.choices).get(value, value)
        elif isinstance(value, list):
            shown = "、".join(str(v) for v in value)
        elif isinstance(value, dict):
            shown = "，".join(f"{k}: {v}" for k, v in value.items())
        else:
            shown = str(value)
        rows.append((field.label, shown))
    return rows


class VinView(LoginRequiredMixin, View):
    """GET ?vin=… decodes; the form stays on the page for the next VIN."""

    def get(self, request):
        form = forms.VinForm(request.GET or None)
        result = None
        if form.is_bound and form.is_valid():
            try:
                result = calculations.vin(form.cleaned_data["vin"])
            except RuleInputError as exc:
                form.add_error("vin", exc.message)
        context = {"nav": "calc", "title": "VIN 解码", "form": form, "result": result}
        return render(request, "calc/vin.html", context)


class ActualValueView(CalculatorView):
    template_name = "calc/actual_value.html"
    title = "折旧、实际价值与推定全损"
    form_class = forms.ActualValueForm
    calculation = staticmethod(calculations.actual_value)


class CtplView(CalculatorView):
    template_name = "calc/ctpl.html"
    title = "交强险分摊"
    form_class = forms.CtplForm
    formset_classes = {"vehicles": forms.CtplVehicleFormSet, "losses": forms.CtplLossFormSet}
    calculation = staticmethod(calculations.ctpl)

    def to_data(self, form, rows):
        return {
            "accident_date": form.cleaned_data["accident_date"],
            "no_fault_proxy": form.cleaned_data["no_fault_proxy"],
            "vehicles": rows["vehicles"],
            "losses": rows["losses"],
        }


class CommercialView(CalculatorView):
    template_name = "calc/commercial.html"
    title = "商业三者险与车损险赔款"
    form_class = forms.CommercialForm
    calculation = staticmethod(calculations.commercial)
    prefixes = {"third_party": "tp_", "own_damage": "od_"}

    def attach_error(self, form, formsets, rows, exc):
        if exc.field == "third_party.liability_ratio" and not form.cleaned_data.get("tp_liability"):
            form.add_error("tp_liability", exc.message)
            return
        super().attach_error(form, formsets, rows, exc)


class InjuryView(CalculatorView):
    template_name = "calc/injury.html"
    title = "人身损害赔偿"
    form_class = forms.InjuryForm
    formset_classes = {"dependants": forms.DependantFormSet}
    extra_form_classes = {"split": forms.InjurySplitForm}
    calculation = staticmethod(calculations.injury)

    def to_data(self, form, rows):
        return {**form.to_data(rows["dependants"]), **self.extra_forms["split"].to_data()}

    def attach_error(self, form, formsets, rows, exc):
        """`accident_date` and `split.*` belong to the split form; the rest to the injury's."""
        split_form = self.extra_forms["split"]
        if exc.field == "accident_date":
            split_form.add_error("accident_date", exc.message)
            return
        if exc.field.startswith("split."):
            name = exc.field.split(".")[1]
            name = {"third_party": "own_occupant"}.get(name, name)
            custom = split_form.cleaned_data.get("liability") == forms.CUSTOM_RATIO
            if name == "liability_ratio" and not custom:
                name = "liability"  # the level select, unless a ratio was chosen to be typed
            split_form.add_error(name if name in split_form.fields else None, exc.message)
            return
        super().attach_error(form, formsets, rows, exc)

    def prefixes_for(self, form):
        if form.cleaned_data.get("standard_mode") == forms.InjuryForm.TABLE:
            return {"addon_rule": "addon_"}  # standard.* goes on the standard select
        return {"standard": "std_", "addon_rule": "addon_"}
