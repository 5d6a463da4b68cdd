#!/bin/sh
# Container entry point: prepares what the command needs, then execs it (so the command
# is PID 1 and receives the stop signal itself).
#
#   web (gunicorn)        wait for PostgreSQL, `manage.py db_bootstrap` (database and the
#                         rn_owner / rn_app roles, idempotent, advisory-locked),
#                         `manage.py migrate --no-input` (runs as rn_owner), and with
#                         RN_SEED_DEMO=1 `manage.py seed_demo --if-needed`.
#   worker, beat (celery) wait for PostgreSQL only; they never migrate (docker-compose.yml
#                         starts them once web is healthy, i.e. after the migrations).
#   anything else         runs as is, e.g. `docker compose run --rm web python manage.py shell`.
#
# RN_MIGRATE=0 skips the database preparation for gunicorn (e.g. several web replicas,
# with migrations run once as a release step); RN_MIGRATE=1 forces it for any command.
set -eu

APP_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$APP_DIR"

log() {
    echo "[entrypoint] $*"
}

prepare_database() {
    log "manage.py db_bootstrap"
    python manage.py db_bootstrap
    log "manage.py migrate --no-input"
    python manage.py migrate --no-input
    if [ "${RN_SEED_DEMO:-0}" = "1" ]; then
        log "manage.py seed_demo --if-needed"
        python manage.py seed_demo --if-needed
    fi
}

if [ "$#" -eq 0 ]; then
    log "no command given" >&2
    exit 64
fi

case "$(basename -- "$1")" in
    gunicorn) role=web ;;
    celery) role=celery ;;
    *) role=other ;;
esac

migrate="${RN_MIGRATE:-}"
if [ -z "$migrate" ]; then
    if [ "$role" = web ]; then migrate=1; else migrate=0; fi
fi

if [ "$role" != other ] || [ "$migrate" = "1" ]; then
    python docker/wait_for_db.py
fi
if [ "$migrate" = "1" ]; then
    prepare_database
fi

exec "$@"
