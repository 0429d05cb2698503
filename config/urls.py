from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("legalcase.api_urls")),
    path("api/v1/", include("evidence.api_urls")),
    path("api/v1/", include("templates_docx.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
    path("", include("legalcase.urls")),
    path("", include("evidence.urls")),
    path("", include("templates_docx.urls")),
]
