"""Base classes of every API view: authentication, the tenancy context, scopes,
throttling, idempotency, problem details, pagination, strict filters and ETags."""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework import generics, mixins, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recycling_network import tenancy
from recycling_network.rest import idempotency
from recycling_network.rest.authentication import ApiKeyAuthentication, KeyPrincipal, SessionAuthentication
from recycling_network.rest.fields import StrictJSONParser
from recycling_network.rest.filters import StrictFilterBackend, StrictOrderingFilter
from recycling_network.rest.pagination import RnCursorPagination
from recycling_network.rest.permissions import ScopedActor
from recycling_network.rest.problems import exception_handler
from recycling_network.rest.throttling import ActorThrottle, AnonymousThrottle


def resolve_actor(request: Request) -> tenancy.Actor:
    """The actor behind an authenticated request (key or session)."""
    if isinstance(request.user, KeyPrincipal):
        return tenancy.actor_for_api_key(request.user.key)
    return tenancy.actor_for_user(request.user)


class RnAPIView(APIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [ScopedActor]
    throttle_classes = [ActorThrottle, AnonymousThrottle]
    parser_classes = [StrictJSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        self.perform_authentication(request)
        # The tenancy context, inside the request's transaction, before anything is read.
        request.actor = request._request.actor = resolve_actor(request)
        tenancy.activate(request.actor)
        self.check_permissions(request)
        self.check_throttles(request)
        idempotency.begin(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, idempotency.Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        idempotency.finish(request, response)
        return response

    @property
    def actor(self) -> tenancy.Actor:
        return self.request.actor


class RnGenericAPIView(RnAPIView, generics.GenericAPIView):
    pagination_class = RnCursorPagination
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: list[str] = ["id"]
    ordering = "id"


class RnListView(mixins.ListModelMixin, RnGenericAPIView):
    """A paginated, filtered list; drf-spectacular documents its filters and pagination.

    Subclasses name the ``model`` and implement ``visible(actor)`` through a selector."""

    model: Any = None

    def visible(self, actor: tenancy.Actor) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no actor
            return self.model.objects.none()
        return self.visible(self.actor)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def detail_response(request: Request, data: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    """A detail answer with an ETag; ``If-None-Match`` with the same tag gives 304."""
    content = JSONRenderer().render(data)
    tag = etag_for(content)
    wanted = {t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")}
    if status_code == status.HTTP_200_OK and (tag in wanted or "*" in wanted):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    return Response(data, status=status_code, headers={"ETag": tag})
