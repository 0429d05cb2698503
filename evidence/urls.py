"""The evidence section of the matter page (loaded by HTMX) and its upload form."""

from django.urls import path

from evidence import court_notice_views, ruling_views, views

urlpatterns = [
    path("matters/<int:matter_id>/evidence/", views.evidence_section, name="evidence_section"),
    path("matters/<int:matter_id>/evidence/upload/", views.evidence_upload_view, name="evidence_upload"),
    path("matters/<int:matter_id>/evidence/<int:evidence_id>/edit/", views.evidence_edit_view, name="evidence_edit"),
    path("matters/<int:matter_id>/evidence/<int:evidence_id>/move/", views.evidence_move_view, name="evidence_move"),
    path(
        "matters/<int:matter_id>/evidence/<int:evidence_id>/withdraw/",
        views.evidence_withdraw_view,
        name="evidence_withdraw",
    ),
    path(
        "matters/<int:matter_id>/evidence/<int:evidence_id>/reinstate/",
        views.evidence_reinstate_view,
        name="evidence_reinstate",
    ),
    path(
        "matters/<int:matter_id>/demands/<int:demand_id>/proof/",
        views.demand_proof_upload_view,
        name="evidence_demand_proof",
    ),
    path(
        "matters/<int:matter_id>/evidence/<int:evidence_id>/cross-examination/",
        views.cross_examination_view,
        name="evidence_cross_examination",
    ),
    path("matters/<int:matter_id>/evidence/search/", views.evidence_section_search, name="evidence_section_search"),
    path("evidence/search/", views.evidence_search_page, name="evidence_search"),
    path("matters/<int:matter_id>/bundles/", views.bundle_build_view, name="evidence_bundle_build"),
    path("matters/<int:matter_id>/rulings/upload/", ruling_views.ruling_upload_view, name="ruling_upload"),
    path("court-notices/", court_notice_views.court_notice_list, name="court_notice_list"),
    path("court-notices/paste/", court_notice_views.court_notice_paste, name="court_notice_paste"),
    path("court-notices/upload/", court_notice_views.court_notice_upload_view, name="court_notice_upload"),
    path("court-notices/<int:notice_id>/", court_notice_views.court_notice_detail, name="court_notice_detail"),
    path(
        "court-notices/<int:notice_id>/dismiss/",
        court_notice_views.court_notice_dismiss_view,
        name="court_notice_dismiss",
    ),
]
