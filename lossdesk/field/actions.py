"""The field app's case action (claims.actions): recording a rescue. Declared once; claims
builds its panel on the case page and its page at cases/<case_no>/rescues/new/; the API
resource /cases/{case_no}/rescues (GET the list, POST a rescue) and the phone's page run
this same declaration."""

from django.db import transaction
from django.utils import timezone

from lossdesk.claims.actions import CaseAction, RecordResurvey
from lossdesk.claims.services import resurvey_surveyors
from lossdesk.claims.workflow import Action
from lossdesk.field.api import serializers as s
from lossdesk.field.forms import ArrivalForm, PhoneResurveyForm, RescueForm
from lossdesk.field.services import do_record_rescue
from lossdesk.intake.actions import RecordArrival
from lossdesk.intake.services.dispatch import do_record_position


class RecordRescue(CaseAction):
    actions = (Action.SAVE_SURVEY,)
    title = "救援录入"
    done = "救援记录已保存。"
    page_name, page_path = "field:case-rescue", "rescues/new/"
    form, serializer = RescueForm, s.RescueInputSerializer
    created_serializer = s.CreatedRescueSerializer
    additive = True
    surveyor_only = True
    submit_label = "保存救援记录"
    keeps_input = True
    record_label = "救援"

    @classmethod
    def recorded(cls, case, target=None):
        rescues = case.rescues.order_by("started_at", "id")
        return [
            f"{timezone.localtime(r.started_at):%Y-%m-%d %H:%M} {r.get_type_display()} {r.firm}"
            for r in rescues
        ]

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        data = dict(data)
        photos = data.pop("photos", [])
        return do_record_rescue(case, data, photos=photos, actor=actor, expected_version=version)


FIELD_ACTIONS = (RecordRescue,)


class ArriveWithPosition(RecordArrival):
    """Arrival from the phone (not registered: the phone's own page runs it): intake's
    arrival and, when the surveyor let the browser tell it, their position, together."""

    form = ArrivalForm

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        with transaction.atomic():
            dispatch = super().run(case, data, actor=actor, version=version)
            dispatch.position_recorded = data.get("lat") is not None and data.get("lng") is not None
            if dispatch.position_recorded:
                do_record_position(actor, lat=data["lat"], lng=data["lng"], actor=actor)
        return dispatch

    @classmethod
    def message(cls, case, result):
        if result.position_recorded:
            return "已记录到达现场时间和位置。"
        return "已记录到达现场时间（未获取到位置）。"


class PhoneRecordResurvey(RecordResurvey):
    """The re-survey from the phone (not registered: the phone's own page runs it): claims'
    action and service, for the user's own visit. Offered where the case page offers the
    action and the user is one who may have gone (the service's own list); an assessor
    records a colleague's visit on the desktop page. Additive like the rescue: the queue
    sends it without the page's version, and the page does not check one either."""

    form = PhoneResurveyForm
    additive = True

    @classmethod
    def visible(cls, user, case, actions, target=None):
        return (
            super().visible(user, case, actions, target)
            and resurvey_surveyors(case).filter(pk=user.pk).exists()
        )
