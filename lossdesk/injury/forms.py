"""Forms of the injury page (人伤定损) and of the injury survey and investigation actions.

The person, the bills and their lines carry the raw text of each cell: the ID number, dates,
amounts and the audit are checked by `injury.services.assessment.do_save_injury_assessment`, the one
place that validates an assessment, so the page and the API report the same errors. The
compensation inputs are the calculator page's own fields (calc.forms.InjuryForm), parsed
into numbers before the calculator sees them, as on that page."""

from django import forms

from lossdesk.calc.forms import DependantForm, InjuryForm
from lossdesk.calc.models import CompensationStandard
from lossdesk.claims.forms import VersionedForm
from lossdesk.claims.sheet_editing import BaseLineFormSet, SheetVersionForm, plain
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.injury.choices import (
    DeductionReason,
    FlagDecision,
    FlagKind,
    MedicalCategory,
    MedicalInsuranceClass,
    Relation,
    TreatmentOutcome,
    VisitKind,
)
from lossdesk.injury.models import BillLine, InjuredPerson, MedicalBill
from lossdesk.injury.services.assessment import BILL_TEXT, LINE_TEXT, MAX_BILLS
from lossdesk.injury.services.investigation import SURVEY_FIELDS
from lossdesk.rules.standards import GENERAL_REGION

# The person's inputs the service checks (the urban box is a yes or no).
PERSON_TEXT_FIELDS = ("name", "id_number", "relation", "residence", "occupation", "income_evidence")
BILL_FIELDS = ("invoice_no", "hospital", "date", "inpatient")
LINE_FIELDS = (
    "category",
    "item",
    "quantity",
    "insurance_class",
    "claimed",
    "reasonable",
    "deduction_reason",
    "note",
)
# Blank line rows under each bill, and how many its "add lines" button adds.
EXTRA_LINES = 3
ADD_LINES = 3
MAX_LINES = 200
OUTPATIENT, INPATIENT = "0", "1"


def _text(label: str, max_length: int, css: str = "", widget=forms.TextInput, **attrs):
    # The length is only a hint to the browser: the service checks it with the rest.
    widget_attrs = {"maxlength": max_length, **({"class": css} if css else {}), **attrs}
    return forms.CharField(
        label=label, required=False, strip=True, widget=widget(attrs=widget_attrs)
    )


def _number(label: str, **attrs):
    # Text, not DecimalField: the audit reports bad amounts with every other error.
    return _text(label, 20, "text-end", inputmode="decimal", autocomplete="off", **attrs)


def _choice(label: str, choices, empty: str = "—"):
    return forms.CharField(
        label=label, required=False, widget=forms.Select(choices=[("", empty), *choices])
    )


def _labelled(form) -> None:
    # Table cells have no <label>: the column header names them for a screen reader.
    for field in form.fields.values():
        field.widget.attrs.setdefault("aria-label", field.label)


class PersonForm(forms.Form):
    name = _text("姓名", InjuredPerson._meta.get_field("name").max_length)
    id_number = _text(
        "身份证号码", 30, "mono", autocomplete="off", placeholder="18 位居民身份证号码"
    )
    relation = _choice("与车辆关系", Relation.choices, "— 请选择 —")
    urban = forms.BooleanField(label="适用城镇标准", required=False)
    residence = _text("经常居住地", InjuredPerson._meta.get_field("residence").max_length)
    occupation = _text("职业", InjuredPerson._meta.get_field("occupation").max_length)
    income_evidence = _text(
        "收入证明",
        InjuredPerson._meta.get_field("income_evidence").max_length,
        widget=forms.Textarea,
        rows=2,
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "person")
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = "出生日期、性别与出险时年龄由号码得出。"

    def as_person(self, stored_id: str, masked_id: str) -> dict:
        person = {name: self.cleaned_data[name] for name in self.fields}
        if stored_id and person["id_number"] == masked_id:
            # The masked number shown, sent back unchanged: keep the stored one.
            person["id_number"] = stored_id
        return person


class CompensationForm(InjuryForm):
    """The calculator's injury form without what the assessment fills in itself: the age
    (from the ID number at the accident date) and 医疗费 (the audited reasonable total)."""

    age = None
    medical_amount = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].label = "伤情结果"


class DependantRowForm(DependantForm):
    relation = forms.CharField(label="关系", max_length=20, required=False)

    field_order = ("relation", "age", "supporters", "unable_to_work")

    def has_changed(self) -> bool:
        # A relation typed alone is a dependant whose age is missing, not a blank row.
        return super().has_changed() or "relation" in self.changed_data


DependantRowFormSet = forms.formset_factory(
    DependantRowForm, formset=BaseLineFormSet, extra=2, can_delete=True, max_num=20
)


class AssessmentHeaderForm(SheetVersionForm):
    remarks = forms.CharField(
        label="定损说明",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _RowForm(forms.Form):
    FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _labelled(self)

    def is_blank(self) -> bool:
        """Nothing typed in it (or ticked 删除): not a row to save."""
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("DELETE"):
            return True
        return not any(str(data.get(name) or "").strip() for name in self.FIELDS)


class BillForm(_RowForm):
    FIELDS = BILL_FIELDS

    invoice_no = _text("票据号", BILL_TEXT["invoice_no"], "mono")
    hospital = _text("医院", BILL_TEXT["hospital"])
    date = _text("票据日期", 10, widget=forms.DateInput, type="date")
    inpatient = _choice("门诊/住院", [(OUTPATIENT, "门诊"), (INPATIENT, "住院")])

    def as_bill(self, lines: list[dict]) -> dict:
        data = self.cleaned_data
        inpatient = {INPATIENT: True, OUTPATIENT: False}.get(data["inpatient"])
        return {
            "invoice_no": data["invoice_no"],
            "hospital": data["hospital"],
            "date": data["date"],
            # None when not chosen: the audit names the field.
            "inpatient": inpatient,
            "lines": lines,
        }


class BillLineForm(_RowForm):
    FIELDS = LINE_FIELDS

    category = _choice("类别", MedicalCategory.choices)
    item = _text("项目", LINE_TEXT["item"])
    quantity = _number("数量")
    insurance_class = _choice("医保类别", MedicalInsuranceClass.choices)
    claimed = _number("申报金额")
    reasonable = _number("合理金额")
    deduction_reason = _choice("核减原因", DeductionReason.choices)
    note = _text("说明", LINE_TEXT["note"])

    def as_line(self) -> dict:
        return {name: self.cleaned_data[name] for name in LINE_FIELDS}


BillFormSet = forms.formset_factory(
    BillForm,
    formset=BaseLineFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_BILLS,
    absolute_max=MAX_BILLS + 100,
)
BillLineFormSet = forms.formset_factory(
    BillLineForm,
    formset=BaseLineFormSet,
    extra=EXTRA_LINES,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES + 100,
)


def lines_prefix(index: int) -> str:
    return f"bills-{index}-lines"


def bill_initial(bill: MedicalBill) -> dict:
    return {
        "invoice_no": bill.invoice_no,
        "hospital": bill.hospital,
        "date": bill.bill_date.isoformat(),
        "inpatient": INPATIENT if bill.inpatient else OUTPATIENT,
    }


def line_initial(line: BillLine, medical) -> dict:
    """The saved line as the editor shows it; `medical` hides or reveals (and records) its
    name and note, which tell the treatment."""
    return {
        "category": line.category,
        "item": medical(line.item),
        "quantity": plain(line.quantity),
        "insurance_class": line.insurance_class,
        "claimed": plain(line.claimed),
        "reasonable": plain(line.reasonable),
        "deduction_reason": line.deduction_reason,
        "note": medical(line.note),
    }


def compensation_initial(inputs: dict) -> dict:
    """The calculator form as it was filled for the saved assessment (its stored inputs)."""
    initial: dict = {"outcome": inputs.get("outcome")}
    standard = inputs.get("standard") or {}
    if standard.get("province"):
        initial["standard_mode"] = InjuryForm.TABLE
        initial["standard"] = CompensationStandard.objects.filter(
            province=standard["province"],
            data_year=standard.get("year"),
            region=standard.get("region") or GENERAL_REGION,
        ).first()
    else:
        initial["standard_mode"] = InjuryForm.INLINE
        for name in ("urban_disposable_income", "urban_consumption", "average_wage", "label"):
            initial[f"std_{name}"] = standard.get(name, "")
    initial["disability_grades"] = ", ".join(str(g) for g in inputs.get("disability_grades", []))
    for name in CompensationForm.ITEM_FIELDS:
        if name in inputs and name != "medical_amount":
            initial[name] = inputs[name]
    rule = inputs.get("addon_rule") or {}
    if rule:
        initial["addon_kind"] = rule.get("kind")
        initial["addon_fixed_rate"] = rule.get("fixed_rate")
        initial["addon_extras_cap"] = rule.get("extras_cap")
        initial["addon_grade_table"] = ", ".join(
            f"{grade}:{rate}" for grade, rate in (rule.get("grade_table") or {}).items()
        )
    return initial


# --- the survey and the medical investigation (injury.actions) -----------------------------

# A date input needs ISO dates whatever the locale shows.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PRESENT_CHOICES = [("", "未核对（非住院或未查床）"), ("true", "在床"), ("false", "不在床")]


class InjurySurveyForm(VersionedForm):
    visited_on = forms.DateField(label="首次查勘日期", widget=DATE)
    hospital = forms.CharField(label="医院", max_length=100)
    department = forms.CharField(label="科室", max_length=50, required=False)
    bed = forms.CharField(label="床号", max_length=20, required=False)
    admitted_on = forms.DateField(label="入院日期", required=False, widget=DATE)
    diagnosis = forms.CharField(label="诊断", max_length=NOTE_MAX)
    description = forms.CharField(
        label="伤情描述", required=False, max_length=TEXT_MAX, widget=forms.Textarea({"rows": 3})
    )
    discharged_on = forms.DateField(label="出院日期", required=False, widget=DATE)
    outcome = forms.ChoiceField(label="治疗结果", choices=TreatmentOutcome.choices)

    FIELDS = SURVEY_FIELDS


class HospitalVisitForm(VersionedForm):
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    kind = forms.ChoiceField(label="方式", choices=VisitKind.choices, initial=VisitKind.FOLLOW_UP)
    present = forms.TypedChoiceField(
        label="伤者是否在床",
        choices=PRESENT_CHOICES,
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
        help_text="住院伤者不在床时，自动提出“挂床住院”疑点。",
    )
    records_sampled = forms.BooleanField(label="抽查病历", required=False)
    findings = forms.CharField(
        label="情况", max_length=TEXT_MAX, widget=forms.Textarea({"rows": 3})
    )


class DisabilityAppraisalForm(VersionedForm):
    injury = forms.CharField(label="伤残部位及情形", max_length=200)
    grade = forms.TypedChoiceField(
        label="伤残等级",
        choices=[(g, f"{g} 级") for g in range(1, 11)],
        coerce=int,
    )
    clause = forms.CharField(
        label="分级条款", max_length=30, required=False, help_text="如 5.10.6.1"
    )
    institution = forms.CharField(label="鉴定机构", max_length=100)
    appraised_on = forms.DateField(label="鉴定日期", widget=DATE)


class InvestigationFlagForm(VersionedForm):
    kind = forms.ChoiceField(label="疑点", choices=FlagKind.choices)
    evidence = forms.CharField(
        label="证据", max_length=TEXT_MAX, widget=forms.Textarea({"rows": 3})
    )
    visit = forms.TypedChoiceField(
        label="发现于走访", coerce=int, empty_value=None, required=False, choices=[("", "—")]
    )

    def __init__(self, *args, loss_item=None, **kwargs):
        super().__init__(*args, **kwargs)
        visits = loss_item.hospital_visits.order_by("visited_on", "pk") if loss_item else []
        self.fields["visit"].choices = [
            ("", "—"),
            *((v.pk, f"{v.visited_on:%Y-%m-%d} {v.get_kind_display()}") for v in visits),
        ]


class FlagDecisionForm(VersionedForm):
    status = forms.ChoiceField(
        label="结论",
        choices=FlagDecision.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="理由", max_length=NOTE_MAX)
