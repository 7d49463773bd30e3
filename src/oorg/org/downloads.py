"""File answers shared by the API and the pages: spreadsheets and employee photos."""
from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse

from oorg.core import files
from oorg.core.errors import NotFound

from .models import Employee

SPREADSHEET_TYPES = {"csv": "text/csv; charset=utf-8",
                     "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def spreadsheet(data, fmt: str, filename: str) -> HttpResponse:
    """A download: `data` as bytes, or an iterator of byte chunks (an export), streamed as it is produced."""
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=SPREADSHEET_TYPES[fmt])
    else:
        response = StreamingHttpResponse(data, content_type=SPREADSHEET_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def photo(employee: Employee) -> HttpResponse:
    """The stored JPEG of an employee the caller may see (the caller's selector has checked that)."""
    if not employee.photo:
        raise NotFound("No photo.")
    return HttpResponse(files.read(employee.photo), content_type="image/jpeg")
