"""CSV and XLSX downloads of the UI's lists (stock, consignments).

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading single quote (OWASP "CSV injection"):
outlet names, waybills, carriers and notes are typed by users of other partners.

Memory stays flat however long the list: the CSV is streamed row by row from a
server-side cursor, and the XLSX is written by openpyxl's write-only workbook into a
temporary file. The same rule as the screens applies: rows come only from the
actor's selectors, re-run in the actor's database context.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from openpyxl import Workbook

from recycling_network.tenancy import Actor, run_as

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
#: A spreadsheet holds 1,048,576 rows; one is the header.
XLSX_MAX_ROWS = 1_048_575
#: Rows fetched per round trip of the server-side cursor.
CHUNK_ROWS = 2000


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as text and never runs as a formula."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: the local (Asia/Shanghai) wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_text(value: Any) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass(frozen=True)
class Export:
    """A list as a download: a header and a function turning one row into its cells."""

    name: str
    header: Sequence[Any]
    cells: Callable[[Any], Sequence[Any]]


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def _rows(actor: Actor, queryset: QuerySet, language: str) -> Iterator[Any]:
    # The tenancy middleware's transaction has ended by the time a streaming body is
    # produced; the rows are read again in a transaction of their own, as the actor, and
    # labelled in the language of the request.
    with translation.override(language), run_as(actor):
        yield from queryset.iterator(chunk_size=CHUNK_ROWS)


def _csv_lines(export: Export, rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    # A byte-order mark, so that spreadsheet programs read Chinese text as UTF-8; the
    # header in the request's language, written before the response leaves the view.
    yield "\ufeff" + writer.writerow([_csv_text(c) for c in export.header])
    for row in rows:
        yield writer.writerow([_csv_text(c) for c in export.cells(row)])


def _filename(export: Export, extension: str) -> str:
    return f"{export.name}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def csv_response(actor: Actor, queryset: QuerySet, export: Export) -> StreamingHttpResponse:
    lines = _csv_lines(export, _rows(actor, queryset, translation.get_language()))
    header = next(lines)
    response = StreamingHttpResponse(itertools.chain([header], lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(export, "csv")}"'
    return response


def xlsx_response(queryset: QuerySet, export: Export) -> FileResponse:
    """Built inside the request's transaction (it needs the actor's rows), row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.name[:31])
    sheet.append([safe_cell(c) for c in export.header])
    for count, row in enumerate(queryset.iterator(chunk_size=CHUNK_ROWS), start=1):
        if count > XLSX_MAX_ROWS:
            break
        sheet.append([safe_cell(c) for c in export.cells(row)])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=_filename(export, "xlsx"), content_type=XLSX_CONTENT_TYPE)


def export_response(
    actor: Actor, queryset: QuerySet, export: Export, format: str
) -> StreamingHttpResponse | FileResponse:
    if format == "csv":
        return csv_response(actor, queryset, export)
    return xlsx_response(queryset, export)
