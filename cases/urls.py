from django.urls import path

from cases import edit_views, online_views, views
from cases.ui import register_panel

# The online-application panel of the case page (registered with the routes that serve it).
register_panel(online_views.online_application_panel)

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_new_view, name="new"),
    path("history/", views.history_view, name="history"),
    path("history/export.csv", views.history_export_view, name="history_export"),
    path("<int:case_id>/", views.case_detail_view, name="detail"),
    path("<int:case_id>/transitions/<str:name>/", views.case_transition_view, name="transition"),
    path("<int:case_id>/parties/<int:party_id>/reveal/", views.party_reveal_view, name="reveal"),
    path("<int:case_id>/parties/add/<str:side>/", edit_views.party_add_view, name="party_add"),
    path("<int:case_id>/parties/<int:party_id>/edit/", edit_views.party_edit_view, name="party_edit"),
    path("<int:case_id>/parties/<int:party_id>/remove/", edit_views.party_remove_view, name="party_remove"),
    path("<int:case_id>/claims/add/", edit_views.claim_add_view, name="claim_add"),
    path("<int:case_id>/claims/<int:claim_id>/edit/", edit_views.claim_edit_view, name="claim_edit"),
    path("<int:case_id>/claims/<int:claim_id>/remove/", edit_views.claim_remove_view, name="claim_remove"),
    path("<int:case_id>/online-files/<int:file_id>/", online_views.online_file_view, name="online_file"),
    path("consultations/", online_views.consultation_list_view, name="consultations"),
    path(
        "consultations/<int:consultation_id>/convert/",
        online_views.consultation_convert_view,
        name="consultation_convert",
    ),
]
