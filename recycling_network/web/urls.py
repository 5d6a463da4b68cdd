"""The browser UI: accounts, home pages, and each app's screens."""

from django.urls import include, path

from recycling_network.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/password/change/", views.password_change, name="password_change"),
    path("accounts/password/change/done/", views.password_change_done, name="password_change_done"),
    path("accounts/password/reset/", views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    # The link in invitations and reset emails (partners.services.users.password_set_link).
    path("accounts/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    # Each app's screens; each app owns its URL module.
    path("", include("batteries.urls")),
    path("", include("partners.urls")),
    path("", include("outlets.urls")),
    path("", include("reports.urls")),
]
