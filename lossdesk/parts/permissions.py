"""Which standard position may do what with the catalogue. org.positions lists these in
STANDARD_POSITIONS for new databases; `grant_parts_permissions` (post_migrate) gives them to
standard positions of an existing database that have no parts permission yet."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

VIEW_CATALOGUE = ["parts.view_part", "parts.view_vehiclemodel"]
QUERY = [
    "parts.view_pricequery",
    "parts.add_pricequery",
    "parts.view_manualquote",
    "parts.add_manualquote",
    "parts.add_vehicleidentification",
]
MAINTAIN_PRICES = [
    "parts.view_localpriceoverride",
    "parts.add_localpriceoverride",
    "parts.change_localpriceoverride",
    "parts.delete_localpriceoverride",
    "parts.view_pricechange",
]
IMPORT = ["parts.view_catalogueimport", "parts.add_catalogueimport"]

ANSWER_QUOTE = "parts.answer_manualquote"
APPROVE_QUOTE = "parts.approve_manualquote"
REQUEST_QUOTE = "parts.add_manualquote"
SAVE_QUERY = "parts.add_pricequery"
IDENTIFY = "parts.add_vehicleidentification"
SET_LOCAL_PRICE = "parts.change_localpriceoverride"
IMPORT_CATALOGUE = "parts.add_catalogueimport"

PARTS_PERMISSIONS: dict[str, list[str]] = {
    "surveyor": [*VIEW_CATALOGUE, *QUERY],
    "assessor": [*VIEW_CATALOGUE, *QUERY],
    "reviewer": [*VIEW_CATALOGUE, "parts.view_pricequery", "parts.view_manualquote"],
    "branch_manager": [
        *VIEW_CATALOGUE,
        "parts.view_pricequery",
        "parts.view_manualquote",
        APPROVE_QUOTE,
        *MAINTAIN_PRICES,
        "parts.view_catalogueimport",
    ],
    "price_desk": [
        *VIEW_CATALOGUE,
        "parts.view_pricequery",
        "parts.view_manualquote",
        ANSWER_QUOTE,
        *MAINTAIN_PRICES,
        *IMPORT,
    ],
    "auditor": ["parts.view_pricechange"],
}


def grant_parts_permissions(sender=None, using="default", **kwargs) -> None:
    """post_migrate of the parts app: standard positions that hold no parts permission yet
    get the ones above (positions an administrator already edited are left alone)."""
    from django.contrib.auth.models import Permission

    from lossdesk.org.models import Position
    from lossdesk.org.positions import permissions_by_name

    create_permissions(global_apps.get_app_config("parts"), verbosity=0, using=using)
    for code, names in PARTS_PERMISSIONS.items():
        position = Position.objects.using(using).filter(code=code).first()
        if position is None:
            continue
        if position.permissions.filter(content_type__app_label="parts").exists():
            continue
        position.permissions.add(*permissions_by_name(names, Permission, using))
