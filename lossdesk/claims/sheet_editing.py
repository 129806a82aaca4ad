"""What every loss line's sheet editor page shares (motor's 定损单, property's 物损定损单,
injury's 人伤定损): why the sheet is read-only for a user, a refusal's message naming the
current state, the versions the page carries and what it shows when a save meets a conflict
(decision 0007), the line formset's delete box, the typed form of a stored number, and where
a service's `lines.<i>.<field>` errors land on the page. The editors differ in columns and
totals."""

from django import forms

from lossdesk.claims import workflow
from lossdesk.claims.choices import CaseStatus, LossItemStatus
from lossdesk.claims.workflow import LOSS_ITEM_STATES, Action, ItemAction
from lossdesk.core.errors import Conflict
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.org.positions import CASE_ASSESS


def readonly_reason(user, case, item, document_label: str) -> str | None:
    """Why `user` cannot edit the item's sheet now, or None when they can."""
    if not user.has_perm(CASE_ASSESS):
        return f"您的岗位没有「定损」权限，{document_label}仅供查看。"
    if not workflow.allowed_from(Action.SAVE_SHEET, case.status):
        return f"案件当前状态为「{case.get_status_display()}」，{document_label}不能修改。"
    if not LOSS_ITEM_STATES.allowed_from(ItemAction.ASSESS, item.status):
        return f"该标的状态为「{item.get_status_display()}」，{document_label}不能修改。"
    return None


def state_message(exc: Conflict) -> str:
    """The service's message, naming the state the case (or item) is in now."""
    state = exc.extra.get("current_state")
    label = exc.extra.get("current_state_label")
    if not label and state in CaseStatus.values:
        label = CaseStatus(state).label
    if not label and state in LossItemStatus.values:
        label = LossItemStatus(state).label
    if label and label not in exc.message:
        return f"{exc.message}（案件当前状态：{label}）"
    return exc.message


def conflict_answer(exc: Conflict, data, saved, *, document_label: str, total_label="合计"):
    """The messages of a save refused by a conflict, the input kept, and the data to show
    the page with. When a version refused it (not a state), `saved` (the sheet as saved now,
    None when there is none) is named with its total (`total_label`, as the page calls it)
    and the page takes its version, so a deliberate second click saves over it (decision
    0007); a state refusal shows the page as posted."""
    errors = [state_message(exc), "您填写的内容已保留，尚未保存。"]
    if exc.extra.get("current_version") is None:
        return errors, data
    if saved is not None:
        errors.append(
            f"当前已保存的{document_label} {saved.document_no} 由 {saved.assessor} 编制，"
            f"{total_label} {money(saved.total)} 元。"
        )
    errors.append(f"确认无误后再次点击「保存{document_label}」将以您的内容为准。")
    data = data.copy()
    data["sheet_version"] = str(saved.version if saved is not None else 0)
    return errors, data


class SheetVersionForm(forms.Form):
    """The versions a sheet editor carries: the sheet's it was drawn from (0: none yet), so
    only a save of this sheet meanwhile refuses the save (decision 0007, amended); or, from
    a page drawn before sheets had their own version, the case's, checked as it was then."""

    sheet_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("sheet_version", "version"):
            self.fields[name].error_messages["invalid"] = "页面版本号无效，请刷新后重试。"

    def clean(self):
        data = super().clean()
        if data.get("sheet_version") is None and data.get("version") is None and not self.errors:
            self.add_error("sheet_version", "页面缺少版本号，请刷新后重试。")
        return data


class BaseLineFormSet(forms.BaseFormSet):
    """The sheet's rows; a row ticked 删除 is not saved."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "删除"
            form.fields["DELETE"].widget.attrs.update(
                {"class": "form-check-input js-delete", "aria-label": "删除此行"}
            )


def plain(value) -> str:
    """1.00 → "1", 2.50 → "2.5": a stored number as a person would type it."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def mark_invalid(form) -> None:
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


def apply_field_errors(
    fields: dict, header, submitted: list, top: list[str], *, line_fields
) -> None:
    """`lines.<i>.<field>` → the cell of the i-th submitted row (`lines.<i>` or a field the
    row does not show, e.g. a parts-catalogue link → the row itself); header fields → the
    header; anything else → the list at the top of the page."""
    for key, field_messages in fields.items():
        parts = key.split(".", 2)
        row = None
        if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdigit():
            index = int(parts[1])
            row = submitted[index] if index < len(submitted) else None
        if row is not None:
            field = parts[2] if len(parts) == 3 and parts[2] in line_fields else None
            for message in field_messages:
                row.add_error(field, message)
        elif key in header.fields and key != "version":
            for message in field_messages:
                header.add_error(key, message)
        else:
            top.extend(m for m in field_messages if m not in top)
