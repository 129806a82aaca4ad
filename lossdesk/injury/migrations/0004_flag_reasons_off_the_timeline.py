"""A flag decision's reason off the timelines written before it was left out (decision 0026:
it is medical data, and the timeline shows to every position that sees the case). The
event keeps the decision, the flag and the item; the reason stays on the flag, shown only
with the personal-data right. Timeline events are append-only (decision 0003); this is the
one rewrite, of health data that should never have been written there."""

from django.db import migrations


def strip_reasons(apps, schema_editor):
    CaseEvent = apps.get_model("claims", "CaseEvent")
    InvestigationFlag = apps.get_model("injury", "InvestigationFlag")
    reasons = dict(
        InvestigationFlag.objects.exclude(decision_note="").values_list("pk", "decision_note")
    )
    decided = CaseEvent.objects.filter(type="investigation_flag_decided").only("message", "data")
    for event in decided.iterator():
        reason = reasons.get((event.data or {}).get("flag"))
        suffix = f"：{reason}"
        if reason and event.message.endswith(suffix):
            CaseEvent.objects.filter(pk=event.pk).update(message=event.message[: -len(suffix)])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_survey_travel_km"),
        ("injury", "0003_assessment_split"),
    ]

    operations = [migrations.RunPython(strip_reasons, migrations.RunPython.noop)]
