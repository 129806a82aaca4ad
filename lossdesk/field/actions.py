"""The field app's case action (claims.actions): recording a rescue. Declared once; claims
builds its panel on the case page and its page at cases/<case_no>/rescues/new/; the API
resource /cases/{case_no}/rescues (GET the list, POST a rescue) and the phone's page run
this same declaration."""

from django.db import transaction

from lossdesk.claims.actions import CaseAction
from lossdesk.claims.workflow import Action
from lossdesk.field.api import serializers as s
from lossdesk.field.forms import ArrivalForm, RescueForm
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
