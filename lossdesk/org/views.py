from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy

from lossdesk.core.errors import ServiceError
from lossdesk.org import services


class PasswordChangeView(auth_views.PasswordChangeView):
    """The owner changes their own password (the only way a password is chosen): other
    sessions and every API token of the account end."""

    success_url = reverse_lazy("claims:case-list")

    def form_valid(self, form):
        user = self.request.user
        try:
            services.do_change_password(
                user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                actor=user,
            )
        except ServiceError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field == "old_password" else "new_password1", error)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, "密码已修改，其他设备上的登录已全部退出。")
        return redirect(self.success_url)
