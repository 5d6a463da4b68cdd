"""The WSGI application (gunicorn in production and in docker-compose)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recycling_network.settings")
application = get_wsgi_application()

# Django and the app leave ~100k long-lived objects; every full collection walked them all,
# 40-110 ms on the 2-core machine, and landed on ~4% of requests: the p95 of the API lists
# (docs/performance.md, "List and feed pages"). Frozen, later collections skip them.
gc.freeze()
