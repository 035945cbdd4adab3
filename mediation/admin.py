"""Configuration of the mediation work in the admin: the centres' mediation rooms."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mediation.models import Room


@admin.register(Room)
class RoomAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organization", "active")
    list_filter = ("active", "organization")
    search_fields = ("name",)
