"""Browser pages of the reports app: partner admins and data-center admins."""

from django.urls import path, re_path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/new/", views.report_new, name="create"),
    path("reports/footprint/", views.footprint, name="footprint"),
    path("reports/targets/", views.targets, name="targets"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/progress/", views.report_progress, name="progress"),
    re_path(r"^reports/(?P<pk>[0-9]{1,18})/download/(?P<format>csv|xlsx|json)/$", views.report_file, name="download"),
]
