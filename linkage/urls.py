from django.urls import path

from linkage import views

app_name = "linkage"

CASE = "cases/<int:case_id>/"
TRANSFER = CASE + "transfers/<int:transfer_id>/"

urlpatterns = [
    path("inbox/", views.inbox_view, name="inbox"),
    path("overview/", views.overview_view, name="overview"),
    path(CASE + "transfers/new/", views.transfer_new_view, name="transfer_new"),
    path(TRANSFER, views.transfer_detail_view, name="transfer"),
    path(TRANSFER + "approve/", views.transfer_approve_view, name="transfer_approve"),
    path(TRANSFER + "send/", views.transfer_send_view, name="transfer_send"),
    path(TRANSFER + "acknowledge/", views.transfer_acknowledge_view, name="transfer_acknowledge"),
    path(TRANSFER + "outcome/", views.transfer_outcome_view, name="transfer_outcome"),
    path(TRANSFER + "return/", views.transfer_return_view, name="transfer_return"),
    path(CASE + "referral-report/", views.referral_report_view, name="referral_report"),
]
