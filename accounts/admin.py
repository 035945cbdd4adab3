"""Django admin: configuration only (organisations, agencies, users, roles, numbering, law firms,
lawyers, zones and the duty roster)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import (
    DutyAssignment,
    LawFirm,
    LawyerProfile,
    LawyerRepresentation,
    LawyerSuggestion,
    Membership,
    Organization,
    PartnerAgency,
    User,
    Zone,
)


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


# --- lawyer mediators (docs/lawyers.md) ---------------------------------------------------------


class LawyerProfileInline(admin.TabularInline):
    model = LawyerProfile
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(LawFirm)
class LawFirmAdmin(SimpleHistoryAdmin):
    list_display = ("name", "uscc", "contract_start", "contract_end", "contact_name", "active")
    list_filter = ("active",)
    search_fields = ("name", "uscc")
    inlines = [LawyerProfileInline]


@admin.register(LawyerProfile)
class LawyerProfileAdmin(SimpleHistoryAdmin):
    list_display = ("user", "licence_number", "firm", "active")
    list_filter = ("firm", "active")
    search_fields = ("user__username", "user__full_name", "licence_number")
    autocomplete_fields = ("user",)


@admin.register(Zone)
class ZoneAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organization", "active")
    list_filter = ("organization", "active")
    search_fields = ("name", "street_names")
    filter_horizontal = ("towns",)


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("date", "zone", "lawyer")
    list_filter = ("zone",)
    date_hierarchy = "date"
    search_fields = ("lawyer__username", "lawyer__full_name")
    autocomplete_fields = ("lawyer",)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "lawyer":  # only lawyers are on the roster
            kwargs["queryset"] = User.objects.filter(lawyer_profile__isnull=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(LawyerRepresentation)
class LawyerRepresentationAdmin(SimpleHistoryAdmin):
    list_display = ("lawyer", "person", "employer", "note", "created_at")
    search_fields = ("lawyer__username", "lawyer__full_name", "employer__name", "note")
    raw_id_fields = ("lawyer", "person", "employer")


@admin.register(LawyerSuggestion)
class LawyerSuggestionAdmin(SimpleHistoryAdmin):
    """Read-only: written when a case is accepted."""

    list_display = ("case_id", "on_date", "zone", "suggested_lawyer", "reason", "suggestion_taken", "accepted_at")
    list_filter = ("reason", "suggestion_taken")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
