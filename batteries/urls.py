"""Browser pages of the traceability core (outlet staff and partner admins)."""

from django.urls import path

from batteries import views

app_name = "batteries"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/check/", views.intake_check, name="intake_check"),
    path("stock/", views.stock, name="stock"),
    path("stock/export.<str:format>", views.stock_export, name="stock_export"),
    path("hazards/", views.hazards, name="hazards"),
    path("batteries/<str:code>/", views.battery_page, name="battery"),
    path("consignments/", views.consignment_list, name="consignments"),
    path("consignments/export.<str:format>", views.consignment_export, name="consignments_export"),
    path("consignments/new/", views.dispatch, name="dispatch"),
    path("consignments/new/outlets/", views.receiving_outlets, name="receiving_outlets"),
    path("consignments/new/check/", views.dispatch_check, name="dispatch_check"),
    path("consignments/<int:pk>/", views.consignment_page, name="consignment"),
    path("consignments/<int:pk>/receive/", views.consignment_receive_view, name="consignment_receive"),
    path("consignments/<int:pk>/cancel/", views.consignment_cancel_view, name="consignment_cancel"),
    path("consignments/<int:pk>/manifest/", views.manifest, name="manifest"),
    path("obligations/", views.obligation_list, name="obligations"),
    path("obligations/acknowledge/", views.obligation_acknowledge, name="obligations_acknowledge"),
]
