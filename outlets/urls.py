"""Browser pages of the outlets app: applications, the data-center queue, sharing, the
public directory."""

from django.urls import path

from outlets import views

app_name = "outlets"

urlpatterns = [
    # A partner's admins: applications, change requests, sharing.
    path("outlets/", views.my_outlets, name="mine"),
    path("outlets/new/", views.outlet_new, name="create"),
    path("outlets/map-preview/", views.map_preview, name="map_preview"),
    path("outlets/<int:pk>/", views.outlet_detail, name="detail"),
    path("outlets/<int:pk>/edit/", views.outlet_edit, name="edit"),
    path("outlets/<int:pk>/submit/", views.outlet_submit, name="submit"),
    path("outlets/<int:pk>/copy/", views.outlet_copy, name="copy"),
    path("outlets/<int:pk>/close/", views.outlet_close, name="close"),
    path("outlets/<int:pk>/change/", views.change_request, name="change_request"),
    path("outlets/<int:pk>/sharing/", views.sharing, name="sharing"),
    path("outlets/grants/<int:pk>/revoke/", views.revoke, name="revoke"),
    # Everyone of a partner: its own and shared outlets.
    path("network/", views.network, name="network"),
    # The data center.
    path("datacenter/outlets/", views.queue, name="queue"),
    path("datacenter/outlets/<int:pk>/", views.review, name="review"),
    path("datacenter/outlets/<int:pk>/<str:action>/", views.decide, name="decide"),
    path("datacenter/outlet-changes/<int:pk>/<str:decision>/", views.decide_change, name="decide_change"),
    # The public directory (no sign-in).
    path("directory/", views.directory, name="directory"),
    path("directory/<str:code>/", views.directory_outlet, name="directory_outlet"),
]
