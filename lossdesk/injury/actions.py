"""The injury survey and the medical investigation on one injured person, declared once
(claims.actions): each has a page under cases/<case_no>/items/<seq>/injury/… (a flag's
decision under cases/<case_no>/injury-flags/<pk>/…) and an API endpoint under
/api/v1/cases/<case_no>/…. They are offered on the item's injury page, not as panels of
the case page. The assessment itself is the shared sheet resource and the page's editor."""

from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.actions import CaseAction, LossItemAction
from lossdesk.claims.workflow import Action
from lossdesk.injury.api import serializers as s
from lossdesk.injury.forms import (
    DisabilityAppraisalForm,
    FlagDecisionForm,
    HospitalVisitForm,
    InjurySurveyForm,
    InvestigationFlagForm,
)
from lossdesk.injury.models import (
    DisabilityAppraisal,
    HospitalVisit,
    InjurySurvey,
    InvestigationFlag,
)
from lossdesk.injury.services import investigation as services


class InjuryItemAction(LossItemAction):
    """An action on the case's injury loss item named by `<int:seq>`."""

    actions = (Action.SAVE_SHEET,)
    item_page = "injury:item"

    @classmethod
    def target(cls, case, pk):
        return services.injury_item(case, pk)

    @classmethod
    def api_answer(cls, result, context):
        """What an action creates (a visit, an appraisal, a flag) with 201; else the case."""
        if cls.created_serializer is None:
            return None
        context = {**context, "case_version": result.loss_item.case.version}
        return cls.created_serializer(result, context=context).data, 201


class SaveInjurySurvey(InjuryItemAction):
    title = "人伤查勘"
    done = "人伤查勘已保存。"
    page_name, page_path = "injury:survey", "items/<int:seq>/injury/survey/"
    api_name, api_path, api_method = (
        "case-injury-survey",
        "loss-items/<int:seq>/injury-survey",
        "put",
    )
    api_summary = "保存人伤查勘（医院、科室、床号、诊断、入出院、治疗结果）"
    form, serializer = InjurySurveyForm, s.InjurySurveyInputSerializer
    submit_label = "保存人伤查勘"

    @classmethod
    def form_kwargs(cls, target=None):
        survey = InjurySurvey.objects.filter(loss_item=target).first() if target else None
        if survey is None:
            return {}
        # The page is for those who assess the item: they see what they edit.
        return {"initial": {name: getattr(survey, name) for name in InjurySurveyForm.FIELDS}}

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_save_injury_survey(target, data, actor=actor, expected_version=version)


class RecordHospitalVisit(InjuryItemAction):
    title = "记录医疗走访"
    page_name, page_path = "injury:visit", "items/<int:seq>/injury/visits/new/"
    api_name, api_path = "case-hospital-visits", "loss-items/<int:seq>/hospital-visits"
    api_summary = "记录一次跟踪回访、医疗巡查或驻点查床（伤者不在床时自动提出挂床疑点）"
    form, serializer = HospitalVisitForm, s.HospitalVisitInputSerializer
    created_serializer = s.HospitalVisitSerializer
    submit_label = "记录走访"

    record_label = "走访"

    @classmethod
    def recorded(cls, case, target=None):
        # Not the findings: medical details (the item page shows them to who may read them).
        visits = HospitalVisit.objects.filter(loss_item=target).select_related("visitor")
        return [
            f"{v.visited_on:%Y-%m-%d} {v.get_kind_display()}（{v.visitor}）"
            f"{'，伤者不在床' if v.present is False else ''}"
            for v in visits
        ]

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_record_hospital_visit(
            target, data, actor=actor, expected_version=version
        )

    @classmethod
    def message(cls, case, result):
        if result.present is False:
            return "走访已记录；伤者不在床，已提出“挂床住院”疑点，请核实。"
        return "走访已记录。"


class RecordDisabilityAppraisal(InjuryItemAction):
    title = "记录伤残鉴定"
    done = "伤残鉴定已记录。"
    page_name, page_path = "injury:appraisal", "items/<int:seq>/injury/appraisals/new/"
    api_name, api_path = (
        "case-disability-appraisals",
        "loss-items/<int:seq>/disability-appraisals",
    )
    api_summary = "记录一处伤残的鉴定（等级、条款、机构、日期）；多处伤残逐处记录"
    form, serializer = DisabilityAppraisalForm, s.DisabilityAppraisalInputSerializer
    created_serializer = s.DisabilityAppraisalSerializer
    submit_label = "记录鉴定"

    record_label = "伤残鉴定"

    @classmethod
    def recorded(cls, case, target=None):
        appraisals = DisabilityAppraisal.objects.filter(loss_item=target)
        return [f"{a.grade} 级 · {a.institution} · {a.appraised_on:%Y-%m-%d}" for a in appraisals]

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_record_disability_appraisal(
            target, data, actor=actor, expected_version=version
        )


class RaiseInvestigationFlag(InjuryItemAction):
    title = "提出医疗调查疑点"
    done = "疑点已记录，待认定。"
    page_name, page_path = "injury:flag", "items/<int:seq>/injury/flags/new/"
    api_name, api_path = "case-investigation-flags", "loss-items/<int:seq>/investigation-flags"
    api_summary = "提出医疗调查疑点（冒名就医、挂床住院、过度医疗、与本次事故无关、既往病史）"
    form, serializer = InvestigationFlagForm, s.InvestigationFlagInputSerializer
    created_serializer = s.InvestigationFlagSerializer
    submit_label = "提出疑点"

    record_label = "疑点"

    @classmethod
    def form_kwargs(cls, target=None):
        return {"loss_item": target}

    @classmethod
    def recorded(cls, case, target=None):
        # Not the evidence: medical details.
        flags = InvestigationFlag.objects.filter(loss_item=target).select_related("raised_by")
        return [
            f"{f.get_kind_display()}（{f.get_status_display()}，{f.raised_by} "
            f"{timezone.localtime(f.raised_at):%Y-%m-%d} 提出）"
            for f in flags
        ]

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_raise_investigation_flag(
            target, data, actor=actor, expected_version=version
        )


class DecideInvestigationFlag(CaseAction):
    actions = (Action.SAVE_SHEET,)
    panel = False
    keeps_input = True
    title = "认定医疗调查疑点"
    page_name, page_path = "injury:flag-decision", "injury-flags/<int:pk>/decision/"
    api_name, api_path, api_method = (
        "case-investigation-flag-decision",
        "investigation-flags/<int:pk>/decision",
        "put",
    )
    api_summary = "确认或排除一个医疗调查疑点（须写理由）；确认后费用审核可按其原因核减"
    form, serializer = FlagDecisionForm, s.FlagDecisionInputSerializer
    submit_label = "保存认定"

    @classmethod
    def target(cls, case, pk):
        return services.investigation_flag(case, pk)

    @classmethod
    def page_title(cls, target=None):
        if target is None:
            return cls.title
        return f"{cls.title}：{target.get_kind_display()}（{target.loss_item.label}）"

    @classmethod
    def next_url(cls, case, target=None):
        seq = target.loss_item.seq
        return reverse("injury:item", kwargs={"case_no": case.case_no, "seq": seq})

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_decide_investigation_flag(
            target,
            status=data["status"],
            note=data["note"],
            actor=actor,
            expected_version=version,
        )

    @classmethod
    def message(cls, case, result):
        return f"疑点“{result.get_kind_display()}”已{result.get_status_display()}。"


INJURY_ACTIONS = (
    SaveInjurySurvey,
    RecordHospitalVisit,
    RecordDisabilityAppraisal,
    RaiseInvestigationFlag,
    DecideInvestigationFlag,
)
