from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases import online_views
from cases import views as case_views

admin.site.site_header = "劳动争议调解案件管理 · 系统配置"
admin.site.site_title = "系统配置"

urlpatterns = [
    path("", case_views.home_view, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # public, no login: online application and status lookup (docs/intake.md)
    path("apply/", online_views.apply_view, name="apply"),
    path("apply/done/", online_views.apply_done_view, name="apply_done"),
    path("apply/status/", online_views.apply_status_view, name="apply_status"),
    path("cases/", include("cases.urls")),
    path("mediation/", include("mediation.urls")),
    path("linkage/", include("linkage.urls")),
    path("documents/", include("documents.urls")),
    path("reports/", include("reports.urls")),
    path("", include("config.api_urls")),
    path("admin/", admin.site.urls),
]
