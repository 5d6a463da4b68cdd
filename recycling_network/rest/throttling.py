"""Throttling (DESIGN §8): per key and per user; per address for anonymous callers; and a
tighter budget for answers that confirm a battery code exists elsewhere."""

from __future__ import annotations

from typing import Any

from rest_framework import throttling
from rest_framework.request import Request

from recycling_network.client_address import client_address


class ActorThrottle(throttling.SimpleRateThrottle):
    scope = "actor"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        actor = getattr(request, "actor", None)
        if actor is None or actor.is_anonymous:
            return None
        ident = f"key{actor.api_key_id}" if actor.api_key_id else f"user{actor.user_id}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousThrottle(throttling.AnonRateThrottle):
    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        actor = getattr(request, "actor", None)
        if actor is not None and not actor.is_anonymous:
            return None
        # The address the API keys' allowed ranges and the browser's limits use too.
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class ExistenceProbeThrottle(ActorThrottle):
    """Counts the 409s that reveal a code is held elsewhere; the view records a hit only
    when it gives such an answer, and refuses further intakes once the budget is spent."""

    scope = "existence"

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record_hit(self, request: Request, view: Any) -> None:
        key = self.get_cache_key(request, view)
        if key is None:
            return
        now = self.timer()
        history = [t for t in self.cache.get(key, []) if t > now - self.duration]
        history.insert(0, now)
        self.cache.set(key, history, self.duration)
