"""The rescue form (the case page's panel and the phone's page), the arrival form that
carries the phone's position and the phone's re-survey form."""

from django import forms
from django.utils import timezone

from lossdesk.claims.choices import AttachmentKind
from lossdesk.claims.forms import ConfirmForm, ResurveyForm, VersionedForm
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.money_fields import AmountFormField
from lossdesk.field.choices import RescueType
from lossdesk.rules.money import MONEY, QUANTITY

LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PhotoChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_doc_type_display()} · {obj.original_name}"


class RescueForm(VersionedForm):
    type = forms.ChoiceField(label="救援类型", choices=[("", "请选择"), *RescueType.choices])
    firm = forms.CharField(label="救援单位", max_length=100)
    start_place = forms.CharField(label="起点", max_length=200)
    end_place = forms.CharField(label="终点", max_length=200, required=False, help_text="拖车必填")
    distance_km = AmountFormField(label="里程（公里）", kind=QUANTITY)
    fee = AmountFormField(label="救援费用（元）", kind=MONEY)
    started_at = forms.DateTimeField(label="开始时间", widget=LOCAL_TIME)
    ended_at = forms.DateTimeField(label="结束时间", widget=LOCAL_TIME)
    photos = PhotoChoice(
        label="救援照片",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="先在「拍照」上传，再在此勾选。",
    )
    note = forms.CharField(
        label="说明", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["version"].required = False  # a rescue conflicts with no other edit
        photos = case.attachments.filter(kind=AttachmentKind.PHOTO) if case is not None else None
        self.fields["photos"].queryset = photos.order_by("uploaded_at", "id") if photos else photos

    def clean_photos(self):
        return [photo.pk for photo in self.cleaned_data["photos"]]


class ArrivalForm(ConfirmForm):
    """Arrival from the phone: the browser's position when the surveyor allowed it."""

    lat = forms.DecimalField(required=False, widget=forms.HiddenInput)
    lng = forms.DecimalField(required=False, widget=forms.HiddenInput)


class PhoneResurveyForm(ResurveyForm):
    """The re-survey from the phone: the user's own visit. Who went is a hidden field (the
    user), so the offline queue sends it to the API as the page would; the service checks
    it. The arrival time starts at now (field.js moves it to the phone's now: a page kept
    offline is older)."""

    surveyor = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["version"].required = False  # a visit conflicts with no other edit
        self.initial["surveyor"] = user.pk if user is not None else None
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.initial["arrived_at"] = now
        if not self.is_bound:  # never over what the user typed
            # The server's offset from UTC in minutes: the phone's now, in the server's zone.
            offset = int(now.utcoffset().total_seconds() // 60)
            self.fields["arrived_at"].widget.attrs["data-now-offset"] = offset

    def clean_surveyor(self):
        return self.cleaned_data["surveyor"]
