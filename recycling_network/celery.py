"""The Celery application: Redis broker, tasks found in each app's ``tasks.py``."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recycling_network.settings")

app = Celery("recycling_network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-sweep": {"task": "partners.tasks.outbox_send_pending", "schedule": 60.0},
    # Reports whose worker died (lease expired) go back to the queue (DESIGN §10).
    "reports-requeue-expired": {"task": "reports.tasks.requeue_expired_reports", "schedule": 60.0},
    # Times are Asia/Shanghai (CELERY_TIMEZONE).
    "reports-monthly-national": {
        "task": "reports.tasks.monthly_national_report",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
    "obligations-mark-overdue": {
        "task": "batteries.tasks.mark_overdue_obligations",
        "schedule": crontab(minute=5, hour=0),
    },
    "ledger-verify-nightly": {"task": "batteries.tasks.verify_ledger_nightly", "schedule": crontab(minute=30, hour=3)},
}
