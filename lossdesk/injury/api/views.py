"""The injury assessment's API resource (registry.LossLine.sheet_resource): claims serves it
at GET and PUT /cases/{case_no}/loss-items/{seq}/sheet for injury loss items."""

from lossdesk.injury.api import serializers as s
from lossdesk.injury.models import InjuryAssessment
from lossdesk.injury.services.assessment import do_save_injury_assessment

# What the sheet body carries besides the calculator's own fields.
NOT_CALCULATOR = ("version", "sheet_version", "person", "bills", "remarks")


class InjuryAssessmentResource:
    input_serializer = s.InjuryAssessmentInputSerializer
    output_serializer = s.InjuryAssessmentSerializer

    @staticmethod
    def answer(request, loss_item, version: int) -> dict | None:
        assessment = (
            InjuryAssessment.objects.select_related(
                "loss_item__case", "loss_item__injured_person", "assessor"
            )
            .prefetch_related("bills__lines")
            .filter(loss_item=loss_item)
            .first()
        )
        if assessment is None:
            return None
        context = {"request": request, "case_version": version}
        return s.InjuryAssessmentSerializer(assessment, context=context).data

    @classmethod
    def write(cls, request, case, loss_item, data) -> dict:
        calculator = {k: v for k, v in data.items() if k not in NOT_CALCULATOR}
        dependants = calculator.get("dependants") or []
        relations = [d.get("relation", "") for d in dependants]
        calculator["dependants"] = [
            {k: v for k, v in d.items() if k != "relation"} for d in dependants
        ]
        assessment = do_save_injury_assessment(
            loss_item,
            person=data["person"],
            calculator=calculator,
            bills=[dict(bill) for bill in data["bills"]],
            dependant_relations=relations,
            remarks=data.get("remarks", ""),
            actor=request.user,
            expected_version=data.get("version"),
            expected_sheet_version=data.get("sheet_version"),
        )
        return cls.answer(request, loss_item, assessment.loss_item.case.version)
