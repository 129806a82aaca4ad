"""The phone pages under /m/ (the installable app for surveyors and assessors), the web app
manifest and the service worker. Server-rendered; every change runs a declared case action
(claims.actions and the apps' own), so the phone has no business rule of its own. Forms the
phone may fill offline name the API endpoint their offline queue sends them to
(`data-queue-url`, static/field/queue.js)."""

import hashlib
from datetime import timedelta

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import BooleanField, Min, Q, Value, When
from django.db.models import Case as DbCase
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from lossdesk.claims import registry
from lossdesk.claims.actions import CompleteSurvey, RequestDocuments, SaveSurvey
from lossdesk.claims.choices import (
    FINAL_STATUSES,
    AttachmentKind,
    CaseStatus,
    DocumentRequestStatus,
    DocumentType,
    ImageProcessing,
    LossItemKind,
)
from lossdesk.claims.models import Case
from lossdesk.claims.sheet_editing import readonly_reason
from lossdesk.claims.views import CaseActionView, CaseView, case_url
from lossdesk.claims.workflow import Action, available_actions
from lossdesk.field.actions import ArriveWithPosition, PhoneRecordResurvey, RecordRescue
from lossdesk.intake.actions import AcceptDispatch, DeclineDispatch
from lossdesk.intake.choices import DispatchStatus
from lossdesk.intake.models import Dispatch
from lossdesk.parts.fitment import identified_models
from lossdesk.parts.queries import price_region as case_price_region

# The phone's one-tap and form actions: URL slug → declaration. The survey, rescue,
# re-survey and document-request forms also go through the offline queue: (API URL name,
# method).
PHONE_ACTIONS = {
    "accept": AcceptDispatch,
    "decline": DeclineDispatch,
    "arrival": ArriveWithPosition,
    "survey": SaveSurvey,
    "complete-survey": CompleteSurvey,
    "rescue": RecordRescue,
    "resurvey": PhoneRecordResurvey,
    "document-requests": RequestDocuments,
}
QUEUED = {
    "survey": ("api:case-survey", "PUT"),
    "rescue": ("api:case-rescues", "POST"),
    "resurvey": ("api:case-resurveys", "POST"),
    "document-requests": ("api:case-document-requests", "POST"),
}
# The one-tap buttons on the case page, in the order work is done.
BUTTONS = ("accept", "arrival", "complete-survey")
PHOTO_TYPES = [(t.value, t.label) for t in DocumentType if t.value.endswith("_photo")]


def phone_case_url(case: Case) -> str:
    return reverse("field:case", args=[case.case_no])


class InboxView(LoginRequiredMixin, View):
    """New dispatches first (with the time by which to accept), then the user's open cases
    (theirs to survey or to assess): those with a deadline on the user's work first, overdue
    and soonest first (the registry's deadlines: quality's case monitoring), then the
    others, newest first; each with its next document deadline."""

    LIMIT = 50

    def get(self, request):
        user = request.user
        cases = Case.objects.for_user(user)
        new = list(
            Dispatch.objects.filter(surveyor=user, status=DispatchStatus.PENDING, case__in=cases)
            .select_related("case__report", "case__client")
            .order_by("dispatched_at", "id")
        )
        minutes = user.branch.accept_deadline_minutes if user.branch else 0
        for dispatch in new:
            dispatch.accept_by = dispatch.dispatched_at + timedelta(minutes=minutes)
        mine = Q(surveyor=user) | Q(
            *[Q(**{f"loss_items__{line.assessor}": user}) for line in registry.loss_lines()],
            _connector=Q.OR,
        )
        open_cases = cases.filter(mine).exclude(status__in=[*FINAL_STATUSES, CaseStatus.DISPATCHED])
        deadlines = registry.deadlines_for(open_cases, user)
        # The cases with a deadline come first in the query too, so the limit never drops
        # an overdue case for a newer one.
        due_first = sorted(deadlines, key=lambda pk: deadlines[pk][0].due_at)[: self.LIMIT]
        listed = list(
            open_cases.select_related("report", "client")
            .annotate(
                documents_due=Min(
                    "document_requests__due_date",
                    filter=Q(document_requests__status=DocumentRequestStatus.OPEN),
                ),
                without_deadline=DbCase(
                    When(pk__in=due_first, then=Value(False)),
                    default=Value(True),
                    output_field=BooleanField(),
                ),
            )
            .distinct()
            .order_by("without_deadline", "-opened_at", "-id")[: self.LIMIT]
        )
        for case in listed:
            case.deadline = deadlines.get(case.pk, [None])[0]  # the nearest
        timed = sorted((c for c in listed if c.deadline), key=lambda c: c.deadline.due_at)
        listed = timed + [c for c in listed if c.deadline is None]
        return render(
            request, "field/inbox.html", {"dispatches": new, "cases": listed, "m_nav": "inbox"}
        )


class PhoneCaseView(CaseView):
    """A case at a glance: where, who to call, what to do next."""

    def case_queryset(self):
        return (
            super()
            .case_queryset()
            .select_related("report", "client", "surveyor", "survey")
            .prefetch_related("loss_items")
        )

    def get(self, request, case_no):
        case = self.case
        allowed = available_actions(request.user, case)
        buttons = []
        for slug in BUTTONS:
            action = PHONE_ACTIONS[slug]
            if action.visible(request.user, case, allowed):
                buttons.append({"slug": slug, "action": action, "form": action.form(case=case)})
        attachments = case.attachments.filter(kind=AttachmentKind.PHOTO)
        context = {
            "case": case,
            "report": case.report,
            "buttons": buttons,
            "may_decline": DeclineDispatch.visible(request.user, case, allowed),
            "may_survey": SaveSurvey.visible(request.user, case, allowed),
            "may_rescue": RecordRescue.visible(request.user, case, allowed),
            "may_resurvey": PhoneRecordResurvey.visible(request.user, case, allowed),
            "resurveys": case.resurveys.select_related("surveyor").order_by("arrived_at", "id"),
            "may_request_documents": RequestDocuments.visible(request.user, case, allowed),
            "may_add_photos": Action.ADD_ATTACHMENT in allowed,
            "photo_count": attachments.count(),
            "open_requests": case.document_requests.filter(status=DocumentRequestStatus.OPEN),
            "desktop_url": case_url(case),
        }
        return render(request, "field/case.html", context)


class PhoneActionView(CaseActionView):
    """A declared case action on a phone page: claims' action view (the same form, service
    call and refusals, the input kept on a refused post of an action that `keeps_input`),
    rendered for the phone and coming back to the phone's pages."""

    slug = ""

    def render_form(self, case, form, status=200, kept=None):
        allowed = available_actions(self.request.user, case)
        queued = QUEUED.get(self.slug)
        context = {
            "case": case,
            "form": form,
            "view": self.declaration,
            "title": self.declaration.page_title(self.target),
            "action_url": self.request.path,
            "available": self.declaration.visible(self.request.user, case, allowed, self.target),
            "queue_url": reverse(queued[0], args=[case.case_no]) if queued else "",
            "queue_method": queued[1] if queued else "",
            "back_url": phone_case_url(case),
            **(kept or {}),  # claims' `kept`, after a conflict
        }
        return render(self.request, "field/action.html", context, status=status)

    def current_url(self, case):
        return phone_case_url(case)

    def post(self, request, **kwargs):
        response = super().post(request, **kwargs)
        if response.status_code == 302:  # claims' pages → the phone's
            phone = {
                case_url(self.case): phone_case_url(self.case),
                reverse("claims:case-list"): reverse("field:inbox"),
            }
            response["Location"] = phone.get(response.url, response.url)
        return response


class PhoneResurveyView(PhoneActionView):
    """The re-survey's phone page: its form names the user as who went."""

    def get_form(self, case, data=None, files=None):
        return self.declaration.form(data, files, case=case, user=self.request.user)


# The phone pages that are not the plain PhoneActionView.
PHONE_VIEWS = {"resurvey": PhoneResurveyView}


class PhotosView(CaseView):
    """Photo capture: the camera, a category and loss item per batch; each photo goes
    through the offline queue to the attachment API with its own Idempotency-Key."""

    def get(self, request, case_no):
        case = self.case
        context = {
            "case": case,
            "loss_items": case.loss_items.order_by("seq"),
            "photo_types": PHOTO_TYPES,
            "upload_url": reverse("api:case-attachments", args=[case.case_no]),
            "photos": list(
                case.attachments.filter(kind=AttachmentKind.PHOTO)
                .select_related("loss_item")
                .order_by("-uploaded_at", "-id")[:30]
            ),
            "back_url": phone_case_url(case),
        }
        context["processing"] = any(
            p.processing == ImageProcessing.PENDING for p in context["photos"]
        )
        return render(request, "field/photos.html", context)


class AssessmentView(CaseView):
    """On-site assessment: each vehicle's sheet, written on the phone through the sheet API
    (static/field/sheet.js) by a user who may edit it, read-only lines otherwise; the parts
    search adds priced lines and a saved price query is applied through parts' API. The
    sheet is motor's: the page reads it through the loss line's API resource (registry), so
    the editor starts from exactly what GET /cases/{case_no}/loss-items/{seq}/sheet answers."""

    def get(self, request, case_no):
        case = self.case
        line = registry.line_for(LossItemKind.INSURED_VEHICLE)
        resource = line.sheet_resource() if line and line.sheet_resource else None
        items, kinds = [], []
        if resource is not None:
            items = list(case.loss_items.filter(kind__in=line.kinds).order_by("seq"))
            # The line kinds as the sheet API names them (value, 中文).
            line_fields = resource.output_serializer().fields["lines"].child.fields
            kinds = list(line_fields["kind"].choices.items())
        for item in items:
            item.sheet_data = resource.answer(request, item, case.version)
            for row in item.sheet_data["lines"] if item.sheet_data else ():
                row["kind_label"] = dict(kinds).get(row["kind"], row["kind"])
            item.readonly_reason = readonly_reason(request.user, case, item, line.document_label)
            item.api_url = reverse("api:case-sheet", args=[case.case_no, item.seq])
            item.json_id = f"sheet-data-{item.seq}"
            item.editor_url = reverse(line.editor, args=[case.case_no, item.seq])
        editable = [item for item in items if item.readonly_reason is None]
        user = request.user
        may_search_parts = user.has_perm("parts.view_part")
        price_region = None
        if may_search_parts:
            self.narrow_search(items)
            # The case's prices (parts' one rule, decision 0032); the search sends `case`.
            price_region = case_price_region(user, case)
        context = {
            "case": case,
            "items": items,
            "editable": editable,
            # The vehicles the parts search is for: the sheets it adds to, else every one.
            "search_items": editable or items,
            "kinds": kinds,
            "may_search_parts": may_search_parts,
            "price_region": price_region,
            "may_apply_queries": bool(editable)
            and user.has_perms(["parts.view_pricequery", "parts.add_pricequery"]),
            "search_url": reverse("parts-search"),
            "queries_url": reverse("parts-price-queries"),
            # The apply URL of query 0; sheet.js puts the chosen query's id in its place.
            "apply_url": reverse("parts-price-query-apply", args=[0]),
            "back_url": phone_case_url(case),
        }
        return render(request, "field/assessment.html", context)

    def narrow_search(self, items) -> None:
        """Each vehicle's identified model (车辆定型), which its parts search is narrowed
        to, as the back office's search is by a price query's model (parts.queries); for a
        vehicle not identified yet, the back office's identification page, from the
        report's VIN for the insured vehicle, for a user who may identify it now."""
        models = identified_models(items)
        may_identify = self.request.user.has_perms(
            ["parts.view_vehiclemodel", "parts.add_vehicleidentification"]
        )
        vin = self.case.report.vin
        for item in items:
            item.vehicle_model = models.get(item.pk)
            item.vin = vin if item.kind == LossItemKind.INSURED_VEHICLE else ""
            item.identify_url = ""
            # Offered where the sheet could be saved: identifying is a save of it.
            if item.vehicle_model is None and may_identify and item.readonly_reason is None:
                params = {"loss_item": item.pk, **({"vin": item.vin} if item.vin else {})}
                params["next"] = self.request.path
                item.identify_url = f"{reverse('parts:identify')}?{urlencode(params)}"


# --- installable app: the manifest and the service worker ---------------------------------

ICONS = (
    ("field/icons/icon-192.png", "192x192", "any"),
    ("field/icons/icon-512.png", "512x512", "any"),
    ("field/icons/icon-maskable-512.png", "512x512", "maskable"),
)
# The app shell the service worker keeps for offline use.
SHELL = (
    "vendor/bootstrap-5.3.9.min.css",
    "field/field.css",
    "field/field.js",
    "field/queue.js",
    "field/sheet.js",
    *(icon for icon, _, _ in ICONS),
)


def manifest(request):
    body = render_to_string(
        "field/manifest.webmanifest",
        {"icons": [{"src": static(p), "sizes": s, "purpose": u} for p, s, u in ICONS]},
    )
    return HttpResponse(body, content_type="application/manifest+json")


def service_worker(request):
    """The worker at the site root, scope /m/. Its cache is named by a hash of the shell's
    URLs (hashed by the static storage), so a new release replaces the old cache."""
    shell = [static(path) for path in SHELL]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_to_string(
        "field/sw.js",
        {
            "shell": shell,
            "version": version,
            "scope": reverse("field:inbox"),
            "offline_url": reverse("field:offline"),
            "login_url": reverse("login"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser checks for a new worker each visit
    return response


def offline(request):
    """What the worker shows for a page it has not kept when the phone has no network. Kept
    when the worker is installed and shown after any logout too, so it names no user."""
    return render(request, "field/offline.html", {"user": None})
