"""The SMS outbox pages: the list with filters (/sms/), one message with its delivery log,
and re-sending a failed message. Visibility is `SmsMessage.objects.for_user`; a message
outside it is a 404. Customers' numbers are masked for positions without org.view_pii."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views import View

from lossdesk.core.errors import ServiceError
from lossdesk.notify import services
from lossdesk.notify.choices import SMS_STATES, SmsAction
from lossdesk.notify.filtersets import SmsMessageFilterSet
from lossdesk.notify.models import SmsMessage
from lossdesk.notify.permissions import RESEND_SMS, VIEW_SMS

PAGE_SIZE = 50


def shown(message: SmsMessage, user) -> SmsMessage:
    """Attach what `user` may see of the numbers and the text."""
    message.shown_phone = message.phone_for(user)
    message.shown_body = message.body_for(user)
    return message


class SmsPermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = VIEW_SMS
    raise_exception = True


class OutboxView(SmsPermissionMixin, View):
    template_name = "notify/outbox.html"

    def get(self, request):
        base = SmsMessage.objects.for_user(request.user).select_related(
            "template", "case", "branch", "created_by"
        )
        filterset = SmsMessageFilterSet(request.GET or None, queryset=base, request=request)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "nav": "sms",
            "filterset": filterset,
            "page_obj": page,
            "sms_messages": [shown(m, request.user) for m in page.object_list],
        }
        template = self.template_name
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            template += "#sms-table"
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class MessageDetailView(SmsPermissionMixin, View):
    template_name = "notify/message_detail.html"

    def get(self, request, pk: int):
        message = get_object_or_404(
            SmsMessage.objects.for_user(request.user).select_related(
                "template", "case", "branch", "created_by"
            ),
            pk=pk,
        )
        context = {
            "nav": "sms",
            "message": shown(message, request.user),
            "logs": message.delivery_logs.order_by("created_at", "id"),
            "can_resend": SMS_STATES.allowed_from(SmsAction.RESEND, message.status)
            and request.user.has_perm(RESEND_SMS),
        }
        return render(request, self.template_name, context)


class ResendView(SmsPermissionMixin, View):
    def post(self, request, pk: int):
        message = get_object_or_404(SmsMessage.objects.for_user(request.user), pk=pk)
        try:
            services.do_resend_sms(message, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "短信已重新排队发送。")
        return redirect("notify:message-detail", pk=message.pk)
