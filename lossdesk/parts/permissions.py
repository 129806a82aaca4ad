"""Which standard position may do what with the catalogue; registered with org's table of
positions from PartsConfig.ready() (org.permissions)."""

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
}
PARTS_ADMIN_PERMISSIONS: dict[str, list[str]] = {"auditor": ["parts.view_pricechange"]}
