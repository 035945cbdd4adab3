from django.urls import path

from documents import views

app_name = "documents"

CASE = "cases/<int:case_id>/"

urlpatterns = [
    path(CASE + "request/", views.document_request_view, name="request"),
    path("<int:document_id>/status/", views.document_status_view, name="status"),
    path("<int:document_id>/download/", views.document_download_view, name="download"),
    path(CASE + "archive/", views.archive_view, name="archive"),
    path(CASE + "archive/progress/", views.archive_progress_view, name="archive_progress"),
    path(CASE + "archive/package/", views.archive_package_view, name="archive_package"),
    path(CASE + "archive/verify/", views.archive_verify_view, name="archive_verify"),
    path(CASE + "archive/supplements/", views.archive_supplement_view, name="archive_supplement"),
]
