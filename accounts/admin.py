"""Django admin: configuration only (organisations, agencies, users, roles, numbering)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Membership, Organization, PartnerAgency, User


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "short_code", "level", "parent", "active")
    list_filter = ("level", "legal_form", "active")
    search_fields = ("code", "name", "short_code")
    fieldsets = (
        (None, {"fields": ("code", "name", "short_code", "parent", "level", "legal_form", "active")}),
        (_("文书信息"), {"fields": ("seal_name", "address", "phone", "region_code")}),
        (_("编号模板"), {"fields": ("case_number_template", "registry_number_template")}),
    )


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "district", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ("username", "full_name", "is_active", "is_staff", "is_system")
    search_fields = ("username", "full_name")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("调解系统"), {"fields": ("full_name", "is_system")}))  # type: ignore[misc]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "organization", "agency", "active")
    list_filter = ("role", "active", "organization")
    search_fields = ("user__username", "user__full_name")
