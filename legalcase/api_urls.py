"""API v1 (API.md), mounted at /api/v1/ by config/urls.py."""

from django.urls import path

from legalcase import api

app_name = "api"

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("matters/", api.MatterListView.as_view(), name="matter-list"),
    path("matters/<int:matter_id>/", api.MatterDetailView.as_view(), name="matter-detail"),
    path("matters/<int:matter_id>/transition/", api.MatterTransitionView.as_view(), name="matter-transition"),
    path("matters/<int:matter_id>/assignment/", api.MatterAssignmentView.as_view(), name="matter-assignment"),
    path("matters/<int:matter_id>/owner/", api.MatterOwnerView.as_view(), name="matter-owner"),
    path("matters/<int:matter_id>/debtor/", api.MatterDebtorView.as_view(), name="matter-debtor"),
    path("escalations/", api.EscalationView.as_view(), name="escalations"),
    path("deadlines/", api.DeadlineListView.as_view(), name="deadline-list"),
    path("deadlines/<int:deadline_id>/complete/", api.DeadlineCompleteView.as_view(), name="deadline-complete"),
    path("deadlines/<int:deadline_id>/override/", api.DeadlineOverrideView.as_view(), name="deadline-override"),
    path("firms/", api.FirmListView.as_view(), name="firm-list"),
    path("calculators/court-fees/", api.CourtFeesView.as_view(), name="calculator-court-fees"),
    path("jobs/<uuid:job_id>/", api.JobView.as_view(), name="job-detail"),
    path("forums/", api.ForumListView.as_view(), name="forum-list"),
    path("matters/<int:matter_id>/forum/", api.MatterForumView.as_view(), name="matter-forum"),
    path("matters/<int:matter_id>/proceedings/", api.MatterProceedingsView.as_view(), name="matter-proceedings"),
    path("proceedings/<int:proceeding_id>/", api.ProceedingDetailView.as_view(), name="proceeding-detail"),
    path("proceedings/<int:proceeding_id>/service/", api.ProceedingServiceView.as_view(), name="proceeding-service"),
    path("proceedings/<int:proceeding_id>/hearings/", api.ProceedingHearingsView.as_view(), name="proceeding-hearings"),
    path("rulings/<int:ruling_id>/confirm/", api.RulingConfirmView.as_view(), name="ruling-confirm"),
    # Assets and enforcement actions (api/enforcement.py)
    # Recoveries and costs (api/recoveries.py)
]
