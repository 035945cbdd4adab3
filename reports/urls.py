from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("import/", views.import_upload_view, name="import"),
    path("import/<str:token>/", views.import_detail_view, name="import_detail"),
    path("import/<str:token>/progress/", views.import_progress_view, name="import_progress"),
    path("import/<str:token>/confirm/", views.import_confirm_view, name="import_confirm"),
    path("cases/export.xlsx", views.case_export_view, name="case_export"),
]
