"""Users, registrants and API tokens in the Django admin, for administrators (管理机构).

Administrators (role ``administrator``, ``is_staff`` set by ``user_set_role``) see these models
without Django permissions being assigned; examiners and applicants have no admin. What the
services own stays read-only here: roles change through the role actions (``user_set_role``),
tokens are revoked through ``api_token_revoke``, verified ID numbers and events are not edited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dataip.accounts import forms, selectors, services
from dataip.accounts.models import (
    AccountEvent,
    ApiToken,
    Registrant,
    RegistrantInvitation,
    Role,
    User,
)
from dataip.accounts.permissions import is_administrator
from dataip.core.errors import DataipError


class _ForAdministrators(admin.ModelAdmin):
    """Administrators may see and change these models; additions and deletions are off."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user) or super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnly(_ForAdministrators):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserChangeForm(DjangoUserChangeForm):
    class Meta(DjangoUserChangeForm.Meta):
        model = User


def _set_role(role: Role) -> Any:
    def action(modeladmin: UserAdmin, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)  # noqa: S101 - the admin needs a signed-in user
        for user in queryset:
            try:
                services.user_set_role(actor=request.user, user=user, role=role)
            except DataipError as error:
                modeladmin.message_user(request, f"{user}: {error.message('zh')}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{user}: {role.label}", messages.SUCCESS)

    action.__name__ = f"make_{role.value}"
    return admin.action(description=format_lazy("{}{}", _("设为"), role.label))(action)


def _reset_second_factor(
    modeladmin: UserAdmin, request: HttpRequest, queryset: QuerySet[User]
) -> None:
    """Recovery when a user lost the authenticator: they sign in with the password, enrol again."""
    assert isinstance(request.user, User)  # noqa: S101 - the admin needs a signed-in user
    for user in queryset:
        try:
            services.second_factor_reset(actor=request.user, user=user)
        except DataipError as error:
            modeladmin.message_user(request, f"{user}: {error.message('zh')}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{user}: {_('已重置动态验证码')}", messages.SUCCESS)


@admin.register(User)
class UserAdmin(_ForAdministrators, DjangoUserAdmin):
    form = UserChangeForm
    list_display = [
        "username",
        "real_name",
        "role",
        "registrant",
        "is_active",
        "has_second_factor",
        "date_joined",
    ]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "real_name", "email", "phone", "registrant__name"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("实名信息"), {"fields": ["real_name", "phone", "email", "registrant"]}),
        (_("角色"), {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        (_("统一身份认证"), {"fields": ["oidc_subject"]}),
        (_("日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = [
        "role",
        "is_staff",
        "is_superuser",
        "registrant",
        "oidc_subject",
        "last_login",
        "date_joined",
    ]
    actions = [
        _set_role(Role.APPLICANT),
        _set_role(Role.EXAMINER),
        _set_role(Role.ADMINISTRATOR),
        admin.action(description=_("重置动态验证码（第二因素）"))(_reset_second_factor),
    ]

    @admin.display(description=_("动态验证码"), boolean=True)
    def has_second_factor(self, obj: User) -> bool:
        return selectors.second_factor_of(obj) is not None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's password and details are for superusers only: an administrator who
        # could reset it would become one.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Registrant)
class RegistrantAdmin(_ForAdministrators):
    list_display = ["name", "kind", "id_number", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "=id_number"]
    readonly_fields = ["kind", "id_number", "created_at"]


def _revoke(modeladmin: ApiTokenAdmin, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    assert isinstance(request.user, User)  # noqa: S101 - the admin needs a signed-in user
    for token in queryset:
        services.api_token_revoke(actor=request.user, token_id=token.pk)
    modeladmin.message_user(request, _("已撤销所选令牌"), messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(_ReadOnly):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "=prefix"]
    exclude = ["digest"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    actions = [admin.action(description=_("撤销所选令牌"))(_revoke)]


@admin.register(RegistrantInvitation)
class RegistrantInvitationAdmin(_ReadOnly):
    list_display = ["registrant", "created_by", "created_at", "expires_at", "used_by", "used_at"]
    search_fields = ["registrant__name", "created_by__username"]
    exclude = ["digest"]
    readonly_fields = ["registrant", "created_by", "created_at", "expires_at", "used_by", "used_at"]


@admin.register(AccountEvent)
class AccountEventAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "user", "actor", "registrant", "old", "new"]
    list_filter = ["kind"]
    search_fields = ["user__username", "actor__username"]
    readonly_fields = ["created_at", "kind", "user", "actor", "registrant", "old", "new"]


# The admin's own sign-in page is throttled like the platform's, and refuses accounts with a
# second factor (they sign in at /accounts/login/, which asks for the code).
admin.site.login_form = forms.AdminSignInForm
