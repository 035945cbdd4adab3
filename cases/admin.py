"""Only reference data is edited in the admin; case data goes through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import HolidayCalendar


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(SimpleHistoryAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)
