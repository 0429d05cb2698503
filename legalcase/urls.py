"""The web pages; the API lives under /api/v1/ (``legalcase.api_urls``)."""

from django.urls import path

from legalcase import views

urlpatterns = [
    path("", views.matter_list, name="matter_list"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("matters/bulk/", views.matter_bulk, name="matter_bulk"),
    path("matters/<int:matter_id>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:matter_id>/reveal/", views.matter_reveal, name="matter_reveal"),
    path("matters/<int:matter_id>/transition/", views.matter_transition, name="matter_transition"),
    path("matters/<int:matter_id>/owner/", views.matter_owner, name="matter_owner"),
    path("matters/<int:matter_id>/assignment/", views.matter_assign, name="matter_assign"),
    path("matters/<int:matter_id>/assignment/end/", views.matter_unassign, name="matter_unassign"),
    path("matters/<int:matter_id>/forum/", views.matter_forum, name="matter_forum"),
    path("deadlines/limitation/", views.limitation_watch, name="limitation_watch"),
    path("debtors/<int:party_id>/", views.debtor_detail, name="debtor_detail"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/errors.csv", views.escalation_import_errors, name="escalation_import_errors"),
    path("imports/escalations/", views.escalation_import, name="escalation_import"),
    # Deadlines, calendar feed and notifications (views/deadlines.py)
    # Proceedings, rulings, the lawyers' home and firm activity (views/proceedings.py)
]
