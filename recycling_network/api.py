"""The /api/v1/ URL map (DESIGN §8). Every route here is in the OpenAPI schema (a test)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import recycling_network.rest.converters  # noqa: F401 - registers the "id" converter
from batteries.api import views as batteries
from outlets.api import views as outlets
from partners.api import views as partners
from reports.api import views as reports

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", partners.MeView.as_view(), name="api-me"),
    path("partners/", partners.PartnerListView.as_view(), name="api-partners"),
    path("partners/<id:pk>/", partners.PartnerDetailView.as_view(), name="api-partner"),
    path("divisions/", outlets.DivisionListView.as_view(), name="api-divisions"),
    path("outlets/", outlets.OutletListView.as_view(), name="api-outlets"),
    path("outlets/<str:code_or_id>/", outlets.OutletDetailView.as_view(), name="api-outlet"),
    path("outlets/<id:pk>/submit/", outlets.OutletSubmitView.as_view(), name="api-outlet-submit"),
    path("outlets/<id:pk>/approve/", outlets.OutletApproveView.as_view(), name="api-outlet-approve"),
    path("outlets/<id:pk>/reject/", outlets.OutletRejectView.as_view(), name="api-outlet-reject"),
    path(
        "outlets/<id:pk>/request-changes/",
        outlets.OutletRequestChangesView.as_view(),
        name="api-outlet-request-changes",
    ),
    path("outlets/<id:pk>/suspend/", outlets.OutletSuspendView.as_view(), name="api-outlet-suspend"),
    path("outlets/<id:pk>/reopen/", outlets.OutletReopenView.as_view(), name="api-outlet-reopen"),
    path("outlets/<id:pk>/close/", outlets.OutletCloseView.as_view(), name="api-outlet-close"),
    path(
        "outlets/<id:pk>/change-requests/",
        outlets.OutletChangeRequestListView.as_view(),
        name="api-outlet-change-requests",
    ),
    path(
        "outlet-change-requests/<id:pk>/approve/",
        outlets.ChangeRequestApproveView.as_view(),
        name="api-outlet-change-request-approve",
    ),
    path(
        "outlet-change-requests/<id:pk>/reject/",
        outlets.ChangeRequestRejectView.as_view(),
        name="api-outlet-change-request-reject",
    ),
    path("outlets/<id:pk>/grants/", outlets.OutletGrantListView.as_view(), name="api-outlet-grants"),
    path("grants/<id:pk>/revoke/", outlets.GrantRevokeView.as_view(), name="api-grant-revoke"),
    path("public/outlets/", outlets.PublicOutletListView.as_view(), name="api-public-outlets"),
    path("batteries/", batteries.BatteryListView.as_view(), name="api-batteries"),
    path("batteries/<str:code>/", batteries.BatteryDetailView.as_view(), name="api-battery"),
    path("batteries/<str:code>/inspect/", batteries.BatteryInspectView.as_view(), name="api-battery-inspect"),
    path("batteries/<str:code>/hazard/", batteries.BatteryHazardView.as_view(), name="api-battery-hazard"),
    path("batteries/<str:code>/cascade/", batteries.BatteryCascadeView.as_view(), name="api-battery-cascade"),
    path("batteries/<str:code>/recycle/", batteries.BatteryRecycleView.as_view(), name="api-battery-recycle"),
    path("batteries/<str:code>/void/", batteries.BatteryVoidView.as_view(), name="api-battery-void"),
    path("intakes/", batteries.IntakeView.as_view(), name="api-intakes"),
    path("consignments/", batteries.ConsignmentListView.as_view(), name="api-consignments"),
    path("consignments/<id:pk>/", batteries.ConsignmentDetailView.as_view(), name="api-consignment"),
    path("consignments/<id:pk>/receive/", batteries.ConsignmentReceiveView.as_view(), name="api-consignment-receive"),
    path("consignments/<id:pk>/cancel/", batteries.ConsignmentCancelView.as_view(), name="api-consignment-cancel"),
    path("events/", batteries.FeedView.as_view(), name="api-events"),
    path("events/<id:pk>/correct/", batteries.EventCorrectView.as_view(), name="api-event-correct"),
    path("obligations/", batteries.ObligationListView.as_view(), name="api-obligations"),
    path("obligations/acknowledge/", batteries.ObligationAcknowledgeView.as_view(), name="api-obligations-acknowledge"),
    path("reports/", reports.ReportListView.as_view(), name="api-reports"),
    path("reports/<id:pk>/", reports.ReportDetailView.as_view(), name="api-report"),
    path("reports/<id:pk>/download/", reports.ReportDownloadView.as_view(), name="api-report-download"),
]
