"""Keep `PartName.part_count` in step when a single part is created, renamed or deleted
(admin, an approved manual quote). Bulk loads (seed, import) recount once at the end."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from lossdesk.parts.models import Part, PartFitment, PartName


@receiver(pre_save, sender=Part)
def remember_old_name(sender, instance: Part, raw=False, **kwargs) -> None:
    instance._old_standard_name_id = (
        Part.objects.filter(pk=instance.pk).values_list("standard_name_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=Part)
def count_new_part(sender, instance: Part, created: bool, raw=False, **kwargs) -> None:
    if raw:
        return
    old = getattr(instance, "_old_standard_name_id", None)
    if created or (old and old != instance.standard_name_id):
        PartName.objects.filter(pk=instance.standard_name_id).update(part_count=F("part_count") + 1)
    if not created and old and old != instance.standard_name_id:
        PartName.objects.filter(pk=old, part_count__gt=0).update(part_count=F("part_count") - 1)
        PartFitment.objects.filter(part=instance).update(standard_name_id=instance.standard_name_id)


@receiver(post_delete, sender=Part)
def uncount_part(sender, instance: Part, **kwargs) -> None:
    PartName.objects.filter(pk=instance.standard_name_id, part_count__gt=0).update(
        part_count=F("part_count") - 1
    )
