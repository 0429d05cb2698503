"""Evidence API routes, mounted at /api/v1/ by config/urls.py."""

from django.urls import path

from evidence import api, court_notice_api

app_name = "evidence_api"

urlpatterns = [
    path("matters/<int:matter_id>/evidence/", api.MatterEvidenceView.as_view(), name="matter-evidence"),
    path("evidence/", api.EvidenceSearchView.as_view(), name="evidence-search"),
    path(
        "evidence/<int:evidence_id>/cross-examination/",
        api.CrossExaminationView.as_view(),
        name="evidence-cross-examination",
    ),
    path("evidence/<int:evidence_id>/", api.EvidenceDetailView.as_view(), name="evidence-detail"),
    path("evidence/<int:evidence_id>/withdraw/", api.EvidenceWithdrawView.as_view(), name="evidence-withdraw"),
    path("evidence/<int:evidence_id>/reinstate/", api.EvidenceReinstateView.as_view(), name="evidence-reinstate"),
    path("evidence/<int:evidence_id>/download/", api.EvidenceDownloadView.as_view(), name="evidence-download"),
    path("matters/<int:matter_id>/bundles/", api.MatterBundlesView.as_view(), name="matter-bundles"),
    path("bundles/<int:bundle_id>/", api.BundleView.as_view(), name="bundle-detail"),
    path("bundles/<int:bundle_id>/download/", api.BundleDownloadView.as_view(), name="bundle-download"),
    path("bundles/<int:bundle_id>/index.docx", api.BundleIndexDocxView.as_view(), name="bundle-index-docx"),
    path("matters/<int:matter_id>/rulings/", api.MatterRulingsView.as_view(), name="matter-rulings"),
    path("court-notices/", court_notice_api.CourtNoticesView.as_view(), name="court-notices"),
    path("court-notices/<int:notice_id>/", court_notice_api.CourtNoticeDetailView.as_view(), name="court-notice"),
    path(
        "court-notices/<int:notice_id>/confirm/",
        court_notice_api.CourtNoticeConfirmView.as_view(),
        name="court-notice-confirm",
    ),
    path(
        "court-notices/<int:notice_id>/dismiss/",
        court_notice_api.CourtNoticeDismissView.as_view(),
        name="court-notice-dismiss",
    ),
    path(
        "court-notices/webhook/<slug:gateway>/",
        court_notice_api.CourtNoticeWebhookView.as_view(),
        name="court-notice-webhook",
    ),
]
