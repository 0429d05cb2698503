from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("legalcase.api_urls")),
    path("api/v1/", include("evidence.api_urls")),
    path("api/v1/", include("templates_docx.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its set-up script from a URL, not inline (Content-Security-Policy).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="legalcase/api_docs.html"),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
    path("", include("legalcase.urls")),
    path("", include("evidence.urls")),
    path("", include("templates_docx.urls")),
]
