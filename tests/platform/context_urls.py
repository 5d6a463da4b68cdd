"""A test-only view that reports the tenancy context the database sees."""

from django.http import JsonResponse
from django.urls import path

from recycling_network.tenancy import current_context


def context_view(request):
    role, partner_id = current_context()
    return JsonResponse({"role": role, "partner_id": partner_id})


urlpatterns = [path("context/", context_view)]
