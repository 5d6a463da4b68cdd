"""Browser pages of the partners app: the partner's own team and keys, and onboarding."""

from django.urls import include, path

app_name = "partners"

urlpatterns: list = [
    path("team/", include("partners.views.team")),  # users, roles, API keys (partner admins)
    path("", include("partners.views.onboarding")),  # applications, code claims, reviews (public and data center)
]
