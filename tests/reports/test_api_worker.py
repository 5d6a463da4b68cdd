"""Over HTTP with a real Celery worker process (not eager mode): request a report, poll it
to done, download it in every format."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from openpyxl import load_workbook

from reports.sections import SECTIONS
from tests.api.conftest import bearer, key_for
from tests.builders import make_outlet, make_partner
from tests.reports.helpers import report_row, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_report_requested_over_the_api_is_computed_by_a_worker_and_downloaded(celery_worker_process):
    automaker = make_partner(kinds=["automaker"], name="甲汽车")
    make_outlet(automaker, prefecture="440300")
    make_outlet(make_partner(), prefecture="110100")  # another partner's: not in the report
    client = bearer(key_for(automaker))

    response = client.post("/api/v1/reports/", {"k": 3}, format="json")
    assert response.status_code == 202, response.content
    accepted = response.json()
    assert (accepted["status"], accepted["progress"]) == ("queued", 0)
    url = response["Location"]
    assert url == f"/api/v1/reports/{accepted['id']}/"

    seen = []

    def finished() -> dict | None:
        body = client.get(url).json()
        seen.append((body["status"], body["progress"]))
        return body if body["status"] in ("done", "failed") else None

    report = wait_for(finished, timeout=90, what="report done")
    assert (report["status"], report["progress"]) == ("done", 100), report
    progress = [p for _, p in seen]
    assert progress == sorted(progress)  # it only moves forward
    assert set(report["result"]) == {*SECTIONS, "meta"}
    assert report["result"]["network"]["coverage"]["covered_prefectures"] == ["440300"]
    # The worker's pool process computed it, not this process (which sent it to the queue).
    worker_pid = int(report_row(accepted["id"]).claimed_by.split(":")[1])
    assert worker_pid != os.getpid()
    assert worker_pid in celery_worker_process.pool_child_pids()

    download = f"{url}download/"
    text = client.get(download + "?format=csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["440300", "深圳市", "广东省", "1", "0", "1"] in rows

    workbook = load_workbook(io.BytesIO(client.get(download + "?format=xlsx").content))
    assert len(workbook.sheetnames) > 10
    summary = {row[0]: row[1] for row in workbook[workbook.sheetnames[0]].iter_rows(min_row=2, values_only=True)}
    assert {accepted["id"], 3} <= set(summary.values())  # the id and K

    document = json.loads(client.get(download + "?format=json").content)
    assert document["id"] == accepted["id"]
    assert document["result"] == report["result"]
