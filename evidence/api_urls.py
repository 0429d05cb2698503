"""Evidence API routes, mounted at /api/v1/ by config/urls.py."""

from django.urls import path

from evidence import api

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
]
