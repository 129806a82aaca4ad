"""Forms of the parts pages. They parse text; the rules live in parts.services, whose
ServiceError fields are mapped back onto these forms."""

from django import forms

from lossdesk.claims.forms import MultipleFileField, MultipleFileInput
from lossdesk.core.money_fields import AmountFormField
from lossdesk.parts.choices import ManualQuoteStatus, PriceType
from lossdesk.parts.importing import MAX_FILE_SIZE
from lossdesk.rules.money import PRICE, QUANTITY

PRICE_TYPE_CHOICES = PriceType.choices


def _text(label, max_length, required=False, **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs),
    )


class SearchForm(forms.Form):
    q = _text(
        "搜索",
        50,
        **{"class": "form-control"},
        placeholder="中文名称（1 个字起）、OE号、拼音首字母如 qbxg",
        autocomplete="off",
        autofocus=True,
        enterkeyhint="search",
    )
    model = forms.IntegerField(required=False, widget=forms.HiddenInput)
    query = forms.IntegerField(required=False, widget=forms.HiddenInput)


class VinForm(forms.Form):
    vin = _text(
        "VIN（车架号）",
        30,
        required=True,
        placeholder="17 位，如 LSVUB6C10K2053790",
        autocomplete="off",
        autocapitalize="characters",
    )


class ManualModelForm(forms.Form):
    make = forms.ChoiceField(label="品牌", required=False)
    series = forms.ChoiceField(label="车系", required=False)
    year = forms.IntegerField(label="年款", required=False, min_value=1950, max_value=2100)

    def __init__(self, *args, makes=(), series=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["make"].choices = [("", "—"), *[(str(m.pk), m.name) for m in makes]]
        self.fields["series"].choices = [("", "全部车系"), *[(str(s.pk), s.name) for s in series]]
        for name in ("make", "series"):
            self.fields[name].widget.attrs["data-autosubmit"] = "1"


class NewQueryForm(forms.Form):
    vehicle_model = forms.IntegerField(required=False, widget=forms.HiddenInput)
    vin = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    case = _text("案件号（可选）", 30, placeholder="C…")
    note = _text("备注", 200)


class ApplyQueryForm(forms.Form):
    loss_item = forms.ChoiceField(label="车辆标的")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loss_item"].choices = [(str(i.pk), str(i)) for i in items]


class ManualQuoteForm(forms.Form):
    part_name = _text("配件名称", 100, required=True)
    oe_number = _text("OE号", 40)
    vehicle_description = _text("车辆描述", 200, placeholder="未定型时填写：品牌、车系、年款、配置")
    vin = _text("VIN", 30)
    quantity = AmountFormField(label="数量", initial=1, kind=QUANTITY, positive=True)
    price_type = forms.ChoiceField(label="价格类型", choices=PRICE_TYPE_CHOICES)
    deadline_hours = forms.IntegerField(
        label="报价时限（小时）", initial=4, min_value=1, max_value=24 * 14
    )
    note = forms.CharField(
        label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultipleFileField(
        label="照片（最多 9 张）",
        required=False,
        help_text="JPEG、PNG、WebP 或 HEIC 图片。",
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.heic,.heif"}),
    )
    vehicle_model = forms.IntegerField(required=False, widget=forms.HiddenInput)
    part = forms.IntegerField(required=False, widget=forms.HiddenInput)
    query_line = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    price = AmountFormField(label="报价（元）", kind=PRICE, positive=True)
    source = _text("价格来源", 200, required=True, placeholder="如：杭州大众4S店电话询价")
    oe_number = _text("OE号（补充）", 40)
    note = _text("说明", 500)


class DecisionForm(forms.Form):
    note = _text("审批意见", 500)


class QuoteFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ManualQuoteStatus.choices]
    )


class LocalPriceForm(forms.Form):
    part = forms.IntegerField(widget=forms.HiddenInput)
    price_type = forms.ChoiceField(label="价格类型", choices=PRICE_TYPE_CHOICES)
    price = AmountFormField(label="本地价（元）", kind=PRICE, positive=True)
    reason = _text("调整原因", 200, required=True)


class RemoveLocalPriceForm(forms.Form):
    reason = _text("删除原因", 200, required=True)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="目录文件（CSV 或 XLSX）",
        help_text=f"必需列：oe_number, name, make, category, price_4s, price_market；"
        f"不超过 {MAX_FILE_SIZE // 1024 // 1024} MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
