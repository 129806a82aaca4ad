"""Phone helpers: tap-to-call only for a number the viewer may see in full (the showing is
recorded like any other, core.masking), and a link that opens the phone's map app."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html

from lossdesk.core.masking import can_view_pii, phone_for

register = template.Library()


@register.simple_tag(takes_context=True)
def tel(context, value: str, field: str, case_no: str = "", person: str = ""):
    """`<a href="tel:…">` for a viewer with the right to personal data; the masked number
    as plain text otherwise (a masked number cannot be dialled)."""
    user = getattr(context.get("request"), "user", None)
    if not value:
        return "—"
    shown = phone_for(user, value, field=field, case_no=case_no, person=person)
    if not can_view_pii(user):
        return shown
    return format_html('<a class="tel" href="tel:{}" data-testid="tel">{}</a>', value, shown)


@register.simple_tag
def map_links(place: str, lat=None, lng=None):
    """geo: opens the phone's map app (Android); the 高德 https link works everywhere and
    hands over to its app when installed. Coordinates when the report has them."""
    name = quote(place or "")
    if lat is not None and lng is not None:
        geo = f"geo:{lat},{lng}?q={lat},{lng}({name})"
        amap = f"https://uri.amap.com/marker?position={lng},{lat}&name={name}"
    else:
        geo = f"geo:0,0?q={name}"
        amap = f"https://uri.amap.com/search?keyword={name}"
    return format_html(
        '<a class="btn btn-outline-primary btn-sm" href="{}" data-testid="map-geo">地图导航</a> '
        '<a class="btn btn-outline-secondary btn-sm" href="{}" target="_blank" rel="noopener"'
        ' data-testid="map-amap">高德地图</a>',
        geo,
        amap,
    )
