# syntax=docker/dockerfile:1
# Recycling Network: one image for the web (gunicorn), worker and beat (celery) services.
#
#   docker build -t recycling-network .
#   docker compose up        (see docker-compose.yml)
#
# Production settings (DJANGO_DEBUG=0): the container refuses to start without
# DJANGO_SECRET_KEY and RN_API_KEY_PEPPER, which are supplied at run time and never
# baked into the image. Static files are collected at build time and served by whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=0 \
    CELERY_BEAT_SCHEDULE_FILENAME=/data/celerybeat-schedule

WORKDIR /app

# An unprivileged user runs everything; the code stays root-owned and read-only to it.
# /data is the only place it writes (celery beat's schedule; mounted as a volume).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data

# Dependencies first, so code changes do not reinstall them (psycopg[binary] needs no compiler).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The compiled translations (locale/*/LC_MESSAGES/django.mo) are committed: no gettext needed.
# collectstatic imports the production settings, which insist on the two secrets: dummies,
# set for this one command only, never persisted in the image's environment.
RUN chmod 0755 docker/entrypoint.sh \
    && DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
       RN_API_KEY_PEPPER=collectstatic-build-only-not-a-secret \
       python manage.py collectstatic --noinput -v 1

USER app

EXPOSE 8000

# /healthz answers 200 when the database and the broker answer, 503 otherwise. Slim images
# have no curl: the probe is urllib (docker/healthcheck.py sends a Host from
# DJANGO_ALLOWED_HOSTS and X-Forwarded-Proto: https so the production settings answer it).
# The worker and beat services override this check in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py", "http://127.0.0.1:8000/healthz"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
# 3 sync workers (2 x CPU + 1 for one CPU); override with `--workers N`. The worker heartbeat
# goes to /dev/shm: on overlayfs a stalled disk can make gunicorn kill healthy workers.
CMD ["gunicorn", "recycling_network.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--timeout", "60", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
