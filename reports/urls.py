from django.urls import path

from reports import report_views, upward_views, views

app_name = "reports"

urlpatterns = [
    path("", report_views.dashboard_view, name="dashboard"),
    path("standard/<str:kind>/", report_views.standard_report_view, name="standard"),
    path("standard/job/<str:token>/", report_views.standard_job_view, name="standard_job"),
    path("standard/job/<str:token>/progress/", report_views.standard_job_progress_view, name="standard_job_progress"),
    path("standard/job/<str:token>/download/", report_views.standard_job_download_view, name="standard_job_download"),
    path("import/", views.import_upload_view, name="import"),
    path("import/<str:token>/", views.import_detail_view, name="import_detail"),
    path("import/<str:token>/progress/", views.import_progress_view, name="import_progress"),
    path("import/<str:token>/confirm/", views.import_confirm_view, name="import_confirm"),
    path("cases/export.xlsx", views.case_export_view, name="case_export"),
    path("workload/", views.workload_view, name="workload"),
    path("upward/", upward_views.upward_list_view, name="upward"),
    path("upward/new/", upward_views.upward_new_view, name="upward_new"),
    path("upward/<int:submission_id>/", upward_views.upward_detail_view, name="upward_detail"),
    path(
        "upward/<int:submission_id>/files/<int:file_id>/review/",
        upward_views.upward_file_review_view,
        name="upward_file_review",
    ),
    path("upward/<int:submission_id>/finish/", upward_views.upward_finish_view, name="upward_finish"),
]
