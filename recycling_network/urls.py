"""URL map: the API under /api/v1/, the browser UI of each app, the Django admin."""

from django.contrib import admin
from django.urls import include, path

from recycling_network.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("recycling_network.api")),
    path("", include("recycling_network.web.urls")),
]

# Unknown URLs and crashes under /api/ answer as problem details; elsewhere Django's pages.
handler404 = "recycling_network.rest.handlers.not_found"
handler500 = "recycling_network.rest.handlers.server_error"
