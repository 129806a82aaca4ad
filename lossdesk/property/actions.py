"""The property actions on one property loss item, declared once (claims.actions): each has
a page at cases/<case_no>/items/<seq>/property/… and an API endpoint at
/api/v1/cases/<case_no>/loss-items/<seq>/…. They are offered on the item's property page,
not as panels of the case page. The sheet has its own editor and the shared sheet resource."""

from lossdesk.claims.actions import LossItemAction
from lossdesk.claims.workflow import Action
from lossdesk.core.masking import mask_phone
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.property import services
from lossdesk.property.api import serializers as s
from lossdesk.property.forms import NegotiationForm, OfferForm, PropertySurveyForm
from lossdesk.property.models import Negotiation, Offer, PropertySurvey


class PropertyItemAction(LossItemAction):
    """An action on the case's property loss item named by `<int:seq>`."""

    item_page = "property:item"

    @classmethod
    def target(cls, case, pk):
        return services.property_item(case, pk)


class SavePropertySurvey(PropertyItemAction):
    actions = (Action.SAVE_SURVEY,)
    title = "物损查勘"
    done = "物损查勘已保存。"
    page_name, page_path = "property:survey", "items/<int:seq>/property/survey/"
    api_name, api_path, api_method = (
        "case-property-survey",
        "loss-items/<int:seq>/property-survey",
        "put",
    )
    api_summary = "保存物损查勘（物主、地点、类别、损失情况）"
    form, serializer = PropertySurveyForm, s.PropertySurveyInputSerializer
    submit_label = "保存物损查勘"

    @classmethod
    def form_kwargs(cls, target=None):
        survey = PropertySurvey.objects.filter(loss_item=target).first() if target else None
        if survey is None:
            return {}
        initial = {name: getattr(survey, name) for name in PropertySurveyForm.FIELDS}
        # Not told who views the page: the phone masked (sent back unchanged, it is kept).
        initial["owner_phone"] = mask_phone(survey.owner_phone)
        return {"initial": initial}

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        survey = {k: v for k, v in data.items() if k in PropertySurveyForm.FIELDS}
        stored = PropertySurvey.objects.filter(loss_item=target).first()
        if (
            stored
            and stored.owner_phone
            and survey.get("owner_phone") == mask_phone(stored.owner_phone)
        ):
            del survey["owner_phone"]  # the masked number shown, unchanged: keep the stored one
        return services.do_save_property_survey(
            target, survey, actor=actor, expected_version=version
        )


class SaveNegotiation(PropertyItemAction):
    actions = (Action.SAVE_SHEET,)
    title = "物损协商"
    page_name, page_path = "property:negotiation", "items/<int:seq>/property/negotiation/"
    api_name, api_path, api_method = (
        "case-property-negotiation",
        "loss-items/<int:seq>/negotiation",
        "put",
    )
    api_summary = "记录物损协商结果（索赔金额、协商金额、协议书）"
    api_description = (
        "协商金额高于定损合计时须填写 above_assessed_reason；协议书为本标的已上传的单证 id。"
        "报告以较低者为建议赔付金额，两者均列示。"
    )
    form, serializer = NegotiationForm, s.NegotiationInputSerializer
    submit_label = "保存协商结果"

    @classmethod
    def form_kwargs(cls, target=None):
        negotiation = Negotiation.objects.filter(loss_item=target).first() if target else None
        initial = {}
        if negotiation is not None:
            initial = {name: getattr(negotiation, name) for name in NegotiationForm.FIELDS}
            initial["agreement"] = negotiation.agreement_id
        return {"initial": initial, "loss_item": target}

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_save_negotiation(
            target,
            claimed_amount=data.get("claimed_amount"),
            agreed_amount=data.get("agreed_amount"),
            agreed_on=data.get("agreed_on"),
            above_assessed_reason=data.get("above_assessed_reason") or "",
            agreement=data.get("agreement"),
            actor=actor,
            expected_version=version,
        )

    @classmethod
    def message(cls, case, result):
        if result.agreed_amount is None:
            return "协商记录已保存。"
        return f"协商结果已保存：协商金额 {money(result.agreed_amount)} 元。"


class RecordOffer(PropertyItemAction):
    actions = (Action.SAVE_SHEET,)
    title = "记录协商报价"
    done = "报价已记录。"
    page_name, page_path = "property:offer", "items/<int:seq>/property/offers/new/"
    api_name, api_path = "case-property-offers", "loss-items/<int:seq>/offers"
    api_summary = "记录一次报价或还价（日期、提出方、发言人、金额）"
    form, serializer = OfferForm, s.OfferInputSerializer
    created_serializer = s.OfferSerializer
    submit_label = "记录报价"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_add_offer(
            target,
            offered_on=data["offered_on"],
            party=data["party"],
            speaker=data["speaker"],
            amount=data["amount"],
            note=data.get("note") or "",
            actor=actor,
            expected_version=version,
        )

    record_label = "报价"

    @classmethod
    def recorded(cls, case, target=None):
        offers = Offer.objects.filter(negotiation__loss_item=target).select_related("recorded_by")
        return [
            f"{o.offered_on:%Y-%m-%d} {o.get_party_display()} {o.speaker} {money(o.amount)} 元"
            f"{'：' + o.note if o.note else ''}（{o.recorded_by} 记录）"
            for o in offers
        ]

    @classmethod
    def api_answer(cls, result, context):
        context = {**context, "case_version": result.negotiation.loss_item.case.version}
        return cls.created_serializer(result, context=context).data, 201


PROPERTY_ACTIONS = (SavePropertySurvey, SaveNegotiation, RecordOffer)
