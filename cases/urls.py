from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_new_view, name="new"),
    path("history/", views.history_view, name="history"),
    path("history/export.csv", views.history_export_view, name="history_export"),
    path("<int:case_id>/", views.case_detail_view, name="detail"),
    path("<int:case_id>/transitions/<str:name>/", views.case_transition_view, name="transition"),
    path("<int:case_id>/parties/<int:party_id>/reveal/", views.party_reveal_view, name="reveal"),
]
