"""Admin pages for the organisation, and the separation of the three administrators
(三员分立):

- 系统管理员 (system admin: org.add/change_staff, no org.assign_position) maintains branches,
  staff accounts, clients and repair shops; a staff member's position is read-only for them.
- 安全管理员 (security admin: org.assign_position + org.view_staff, no org.change_staff)
  maintains positions and may change only a staff member's position and whether the account
  is active.
- 审计员 (auditor: admin.view_logentry, claims.view_caseevent) reads the admin log and the case
  events and changes nothing.

Permissions come only from positions: nobody edits is_superuser, per-user permissions or
groups here, and nobody changes their own position or the rights of the position they hold.
The rights of the three administrator positions are fixed in org.positions (read-only here).
Nobody sets another person's password: the system admin may only force a reset (a temporary
password the owner must replace at the next login), which the admin log records. Locked-out
logins (django-axes access attempts) are unlocked by the security admin with the 解锁 action.
Business data (cases, reports, sheets) is read-only in the admin; it changes only through the
case pages."""

from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from lossdesk.core.admin import ReadOnlyMixin
from lossdesk.core.errors import ServiceError
from lossdesk.org import services
from lossdesk.org.models import (
    Branch,
    Client,
    ClientBranch,
    ClientContact,
    Position,
    RepairShop,
    Staff,
)
from lossdesk.org.positions import RESET_PASSWORD
from lossdesk.org.security import security_log

CHANGE_STAFF = "org.change_staff"
ASSIGN_POSITION = "org.assign_position"
# Framework apps whose permissions mean nothing for a position (groups are unused too).
NOT_FOR_POSITIONS = ("auth", "contenttypes", "sessions", "knox", "core")

# Groups are not used: permissions come from positions only.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class BranchAdminForm(forms.ModelForm):
    """The dispatch settings may be left empty: they keep their defaults."""

    class Meta:
        model = Branch
        fields = "__all__"  # noqa: DJ007 - BranchAdmin.fields picks them

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "accept_deadline_minutes" in self.fields:
            self.fields["accept_deadline_minutes"].required = False

    def clean_accept_deadline_minutes(self):
        value = self.cleaned_data.get("accept_deadline_minutes")
        if value is None:
            return Branch._meta.get_field("accept_deadline_minutes").default
        return value


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    form = BranchAdminForm
    list_display = ("name", "code", "level", "parent", "province", "city", "active")
    list_filter = ("level", "province", "active")
    search_fields = ("name", "code", "province", "city", "address")
    list_select_related = ("parent",)
    readonly_fields = ("path",)
    fields = (
        "code",
        "name",
        "level",
        "parent",
        "province",
        "city",
        "address",
        "phone",
        "active",
        "path",
        "region",
        "accept_deadline_minutes",
        "auto_dispatch",
    )
    ordering = ("path",)


class PositionAdminForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = "__all__"  # noqa: DJ007 - PositionAdmin decides what is editable

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.instance.pk and self.instance.is_administrator and code != self.instance.code:
            raise forms.ValidationError("三员岗位的岗位代码不能修改。")
        return code


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    form = PositionAdminForm
    list_display = ("name", "code", "data_scope", "description")
    list_filter = ("data_scope",)
    search_fields = ("name", "code", "description")
    filter_horizontal = ("permissions",)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            try:
                services.check_may_edit_position(obj, actor=request.user)
            except ServiceError:
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(
            request, obj
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_administrator:
            return ("code", "permissions")  # fixed in org.positions
        return ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = (
                db_field.remote_field.model.objects.exclude(
                    content_type__app_label__in=NOT_FOR_POSITIONS
                )
                .select_related("content_type")
                .order_by("content_type__app_label", "content_type__model", "codename")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StaffCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Staff
        fields = ("username",)


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Staff
        fields = "__all__"


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    """Staff accounts. Which fields are editable depends on the administrator (see the
    module docstring); fields left out of a form are ignored even when posted."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ("username", "full_name", "branch", "position", "is_active")
    list_filter = ("is_active", "is_staff", "position", "branch")
    search_fields = ("username", "full_name", "mobile", "employee_no", "email")
    list_select_related = ("branch", "position")
    ordering = ("branch__path", "username")
    filter_horizontal = ()
    actions = ("reset_password",)

    account_fieldsets = (
        (None, {"fields": ("username", "password_change_required")}),
        ("个人信息", {"fields": ("full_name", "mobile", "email", "employee_no")}),
        ("机构与岗位", {"fields": ("branch", "position")}),
        (
            "调度",
            {
                "fields": (
                    ("skill_vehicle", "skill_property", "skill_injury"),
                    ("last_lat", "last_lng", "last_position_at"),
                )
            },
        ),
        ("状态", {"fields": ("is_active", "is_staff")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    # What a security admin sees: who the person is (read-only) and the two fields they own.
    position_fieldsets = (
        (None, {"fields": ("username", "full_name", "branch")}),
        ("岗位与状态", {"fields": ("position", "is_active")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("个人信息", {"fields": ("full_name", "mobile", "email", "employee_no")}),
        ("机构与岗位", {"fields": ("branch", "position")}),
        ("状态", {"fields": ("is_active", "is_staff")}),
    )

    @staticmethod
    def can_edit_account(request) -> bool:
        return request.user.has_perm(CHANGE_STAFF)

    @staticmethod
    def can_assign_position(request, obj=None) -> bool:
        return request.user.has_perm(ASSIGN_POSITION) and (obj is None or obj != request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or request.user.has_perm(ASSIGN_POSITION)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: events point at them

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fieldsets = self.add_fieldsets
            if not self.can_assign_position(request):
                fieldsets = tuple(
                    (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "position")})
                    for name, opts in fieldsets
                )
            return fieldsets
        if self.can_edit_account(request):
            return self.account_fieldsets
        return self.position_fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = {"last_login", "date_joined", "password_change_required"}
        if not self.can_assign_position(request, obj):
            readonly.add("position")  # system admins, and everybody on their own record
        if obj is not None and obj == request.user:
            readonly.add("is_active")
        if obj is not None and not self.can_edit_account(request):
            readonly |= {"username", "full_name", "branch"}  # a security admin
        return tuple(sorted(readonly))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "branch" in form.base_fields:
            form.base_fields["branch"].required = True
        return form

    def has_reset_password_permission(self, request) -> bool:
        return request.user.has_perm(RESET_PASSWORD)

    def save_model(self, request, obj, form, change):
        if not change and obj.has_usable_password():
            obj.password_change_required = True  # chosen by an administrator: temporary
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        # Nobody sets another person's password (the owner uses 修改密码; the system admin
        # forces a reset with the list action).
        raise PermissionDenied

    @admin.action(description="强制重置密码（发放临时密码）", permissions=["reset_password"])
    def reset_password(self, request, queryset):
        for staff in queryset:
            try:
                temporary = services.do_reset_password(staff, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, f"{staff}：{exc.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{staff}（{staff.username}）的临时密码：{temporary}（只显示这一次，"
                "员工首次登录须修改）",
                messages.WARNING,
            )


class ClientBranchInline(admin.TabularInline):
    model = ClientBranch
    fields = ("name", "province", "city")
    extra = 0
    show_change_link = True


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "code", "second_review_threshold", "active")
    list_filter = ("active",)
    search_fields = ("short_name", "name", "code")
    inlines = (ClientBranchInline,)


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    fields = ("name", "title", "mobile", "email")
    extra = 0


@admin.register(ClientBranch)
class ClientBranchAdmin(admin.ModelAdmin):
    list_display = ("name", "client", "province", "city")
    list_filter = ("client", "province")
    search_fields = ("name", "client__short_name", "client__name", "city")
    list_select_related = ("client",)
    inlines = (ClientContactInline,)


@admin.register(RepairShop)
class RepairShopAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "brand", "branch", "contact", "phone", "active")
    list_filter = ("kind", "active", "branch")
    search_fields = ("name", "brand", "address", "contact")
    list_select_related = ("branch",)


class LogEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The admin's own change log, for the auditor (admin.view_logentry). Read-only."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username", "user__full_name")
    list_select_related = ("user", "content_type")
    date_hierarchy = "action_time"
    fields = (
        "action_time",
        "user",
        "content_type",
        "object_id",
        "object_repr",
        "action_flag",
        "change_message",
    )


if not admin.site.is_registered(LogEntry):
    admin.site.register(LogEntry, LogEntryAdmin)


class LoginAttemptAdmin(AccessAttemptAdmin):
    """Failed logins per username (django-axes); the security admin (axes.delete_accessattempt)
    unlocks a locked-out username before its cool-off ends. Written to the admin log and the
    security log."""

    actions = ("unlock",)

    @admin.action(description="解锁所选用户名", permissions=["delete"])
    def unlock(self, request, queryset):
        attempts = list(queryset)
        usernames = sorted({attempt.username for attempt in attempts})
        LogEntry.objects.log_actions(request.user.pk, attempts, DELETION, "解锁登录")
        for username in usernames:
            AxesProxyHandler.reset_attempts(username=username)
            security_log.warning("login unlocked for %r by %s", username, request.user.username)
        self.message_user(request, f"已解锁：{'、'.join(usernames)}")


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LoginAttemptAdmin)
