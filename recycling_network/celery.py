"""The Celery application: Redis broker, tasks found in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recycling_network.settings")

app = Celery("recycling_network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-sweep": {"task": "partners.tasks.outbox_send_pending", "schedule": 60.0},
}
