"""Public holidays per branch (or for every branch): by hand, filled from the `holidays` package, or imported
from an iCal or CSV file.

Filling: the branch's country (`Branch.country`) and region (`Branch.holiday_calendar`, a subdivision code of
the `holidays` package such as "BE" for Berlin) are used unless the request names others. Dates already on
the calendar are kept (counted as skipped), so filling twice adds nothing.

Importing is all or nothing: every bad row (or event) is reported at once, by its row number, and nothing is
written while any is bad; `dry_run` checks and counts without writing. A holiday file is small: at most
MAX_FILE_BYTES and MAX_ROWS dates. An iCal VEVENT gives its DTSTART date (all-day events spanning several days
give each date up to DTEND, exclusive; at most MAX_EVENT_DAYS), SUMMARY its name; a recurrence rule is not
expanded (the first date is taken). A CSV has the columns `date,name` (a header row; dates YYYY-MM-DD).

Adding, moving or removing a holiday computes again the days already written for its date, in a job after the
commit (`_recompute_after_commit`, attendance.recompute_days).
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import IntegrityError, transaction

from oorg.core import audit
from oorg.core.errors import Conflict, NotFound, PermissionDenied, Problems, ValidationFailed
from oorg.core.permissions import require
from oorg.org.models import Branch

from ..models import Holiday
from ..permissions import MANAGE
from ..permissions import OWN as ATTENDANCE_OWN

MAX_FILE_BYTES = 512 * 1024
MAX_ROWS = 1000
MAX_EVENT_DAYS = 31
MAX_RANGE_DAYS = 366
NAME_LENGTH = 120


class HolidayExists(Conflict):
    code = "holiday_exists"


# --- reading ---------------------------------------------------------------------------------------------------


def require_read(actor) -> None:
    from oorg.leave.permissions import OWN as LEAVE_OWN

    if not (actor.can(ATTENDANCE_OWN) or actor.can(LEAVE_OWN)):
        raise PermissionDenied("Your role does not let you see holidays.")


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed("A date is YYYY-MM-DD, like 2026-12-25.", field=field) from None


def holiday_list(actor, *, branch_id=None, year=None, date_from=None, date_to=None):
    """Holidays ordered by date. `branch_id`: the holidays that apply to that branch (its own and those of every
    branch). `year` and/or `from`..`to` (at most 366 days) narrow the dates."""
    require_read(actor)
    with Problems() as problems:
        with problems.check():
            date_from = _date(date_from, "from")
        with problems.check():
            date_to = _date(date_to, "to")
        if year is not None and not 1900 <= int(year) <= 2200:
            problems.add("A year from 1900 to 2200.", field="year")
        if date_from and date_to and not problems.about("from", "to"):
            if date_to < date_from:
                problems.add("`to` is on or after `from`.", field="to")
            elif (date_to - date_from).days >= MAX_RANGE_DAYS:
                problems.add(f"A range covers at most {MAX_RANGE_DAYS} days.", field="to")
    queryset = Holiday.objects.all()
    if branch_id is not None:
        from django.db.models import Q

        queryset = queryset.filter(Q(branch_id=branch_id) | Q(branch__isnull=True))
    if year is not None:
        queryset = queryset.filter(date__year=int(year))
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    return queryset.select_related("branch").order_by("date", "id")


def get_holiday(actor, holiday_id) -> Holiday:
    require_read(actor)
    holiday = Holiday.objects.filter(pk=holiday_id).select_related("branch").first()
    if holiday is None:
        raise NotFound("No such holiday.")
    return holiday


def branch_of(value, field: str = "branch_id") -> Branch | None:
    """The workspace's branch with this id (None: every branch); another workspace's id is refused like a
    missing one."""
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    branch = Branch.objects.filter(pk=pk).first() if pk else None
    if branch is None:
        raise ValidationFailed("No such branch.", field=field, code="not_found")
    return branch


# --- by hand ---------------------------------------------------------------------------------------------------


def _name(value) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationFailed("Give the holiday a name.", field="name", code="required")
    if len(name) > NAME_LENGTH:
        raise ValidationFailed(f"A name has at most {NAME_LENGTH} characters.", field="name")
    return name


def _taken(branch: Branch | None, day: dt.date, *, excluding: int | None = None) -> bool:
    rows = Holiday.objects.filter(date=day)
    rows = rows.filter(branch__isnull=True) if branch is None else rows.filter(branch=branch)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.exists()


def _duplicate(branch, day) -> HolidayExists:
    where = f"for {branch.name}" if branch is not None else "for every branch"
    return HolidayExists(f"There is already a holiday on {day.isoformat()} {where}.", field="date")


def _recompute_after_commit(workspace_id: int, changes: list[tuple[dt.date, int | None]]) -> None:
    """Days already computed on a changed holiday's date are computed again after the commit (a Celery job: a
    branch may have thousands of people), so an absence that became a holiday stops counting as one."""
    from ..tasks import recompute_days

    by_branch: dict[int | None, set[str]] = {}
    for day, branch_id in changes:
        by_branch.setdefault(branch_id, set()).add(day.isoformat())
    for branch_id, dates in by_branch.items():
        transaction.on_commit(lambda b=branch_id, d=sorted(dates): recompute_days.delay(workspace_id, d, b))


def create_holiday(actor, *, date=None, name=None, branch_id=None) -> Holiday:
    require(actor, MANAGE)
    with Problems() as problems:
        with problems.check():
            day = _date(date, "date")
            if day is None:
                raise ValidationFailed("Give the holiday's date.", field="date", code="required")
        with problems.check():
            name = _name(name)
        with problems.check():
            branch = branch_of(branch_id)
    if _taken(branch, day):
        raise _duplicate(branch, day)
    try:
        with transaction.atomic():
            holiday = Holiday.objects.create(workspace_id=actor.workspace.pk, branch=branch, date=day, name=name,
                                             origin=Holiday.Origin.MANUAL)
            audit.record(actor, "attendance.holiday.created", holiday, target_label=f"{day.isoformat()} {name}",
                         date=day.isoformat(), branch_id=getattr(branch, "pk", None))
            _recompute_after_commit(actor.workspace.pk, [(day, getattr(branch, "pk", None))])
    except IntegrityError:
        raise _duplicate(branch, day) from None
    return holiday


def update_holiday(actor, holiday: Holiday, **changes) -> Holiday:
    require(actor, MANAGE)
    clean = {}
    with Problems() as problems:
        if "date" in changes:
            with problems.check():
                clean["date"] = _date(changes["date"], "date")
                if clean["date"] is None:
                    raise ValidationFailed("Give the holiday's date.", field="date", code="required")
        if "name" in changes:
            with problems.check():
                clean["name"] = _name(changes["name"])
        if "branch_id" in changes:
            with problems.check():
                clean["branch"] = branch_of(changes["branch_id"])
    moved = [k for k, v in clean.items() if getattr(holiday, k) != v]
    if not moved:
        return holiday
    day, branch = clean.get("date", holiday.date), clean.get("branch", holiday.branch)
    if ("date" in moved or "branch" in moved) and _taken(branch, day, excluding=holiday.pk):
        raise _duplicate(branch, day)
    before = (holiday.date, holiday.branch_id)
    try:
        with transaction.atomic():
            for key in moved:
                setattr(holiday, key, clean[key])
            holiday.save(update_fields=moved)
            audit.record(actor, "attendance.holiday.updated", holiday,
                         target_label=f"{holiday.date.isoformat()} {holiday.name}",
                         fields=["branch_id" if m == "branch" else m for m in moved])
            if "date" in moved or "branch" in moved:
                _recompute_after_commit(actor.workspace.pk, [before, (holiday.date, holiday.branch_id)])
    except IntegrityError:
        holiday.refresh_from_db()
        raise _duplicate(branch, day) from None
    return holiday


def delete_holiday(actor, holiday: Holiday) -> None:
    require(actor, MANAGE)
    with transaction.atomic():
        audit.record(actor, "attendance.holiday.deleted", holiday,
                     target_label=f"{holiday.date.isoformat()} {holiday.name}", date=holiday.date.isoformat())
        _recompute_after_commit(actor.workspace.pk, [(holiday.date, holiday.branch_id)])
        holiday.delete()


# --- many at once ----------------------------------------------------------------------------------------------


def _write_many(actor, branch: Branch | None, found: dict[dt.date, str], origin: str, *, dry_run: bool,
                action_data: dict) -> dict:
    """Add `found` ({date: name}) to the branch's calendar, keeping the dates it already has."""
    # One query over the file's date range (a branch has a few holidays a year), not a list of every date.
    existing = Holiday.objects.filter(date__gte=min(found), date__lte=max(found)) if found else Holiday.objects.none()
    existing = existing.filter(branch__isnull=True) if branch is None else existing.filter(branch=branch)
    have = set(existing.values_list("date", flat=True))
    new = [Holiday(workspace_id=actor.workspace.pk, branch=branch, date=day, name=name, origin=origin)
           for day, name in sorted(found.items()) if day not in have]
    result = {"created": len(new), "skipped": len(found) - len(new), "dry_run": dry_run,
              "dates": [h.date.isoformat() for h in new]}
    if dry_run or not new:
        return result
    with transaction.atomic():
        Holiday.objects.bulk_create(new, ignore_conflicts=True)
        audit.record(actor, "attendance.holidays.imported", branch,
                     target_label=branch.name if branch else "Every branch", origin=origin, created=len(new),
                     skipped=result["skipped"], **action_data)
        _recompute_after_commit(actor.workspace.pk, [(h.date, h.branch_id) for h in new])
    return result


def clean_region(country, subdivision, *, year) -> tuple[str, str]:
    """The country and subdivision codes as the `holidays` package knows them, or a 422 naming the field."""
    import holidays

    country = str(country or "").strip().upper()
    subdivision = str(subdivision or "").strip().upper()
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ValidationFailed(f"No public holidays are known for the country {country!r}." if country
                               else "Give the country (the branch has none).", field="country")
    if subdivision and subdivision not in {s.upper() for s in supported[country]}:
        raise ValidationFailed(f"{country} has no region {subdivision!r}; known regions: "
                               f"{', '.join(supported[country][:60]) or 'none'}.", field="subdivision")
    return country, subdivision


def public_holidays(country: str, subdivision: str, year: int) -> dict[dt.date, str]:
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return {day: str(name)[:NAME_LENGTH] for day, name in sorted(calendar.items())}


def fill_holidays(actor, *, branch_id=None, year=None, country=None, subdivision=None, dry_run=False) -> dict:
    """Add the public holidays of `year` to the branch's calendar (every branch's when `branch_id` is empty,
    which then needs a country)."""
    require(actor, MANAGE)
    with Problems() as problems:
        branch = None
        with problems.check():
            branch = branch_of(branch_id)
        try:
            year = int(year)
            if not 1900 <= year <= 2200:
                raise ValueError
        except (TypeError, ValueError):
            problems.add("A year from 1900 to 2200.", field="year")
        if not problems.about("branch_id", "year"):
            given = str(country or "").strip().upper()
            if branch is not None and subdivision is None and given in ("", branch.country.upper()):
                subdivision = branch.holiday_calendar  # the branch's region, read as the package's subdivision
            if not given and branch is not None:
                country = branch.country
            with problems.check():
                country, subdivision = clean_region(country, subdivision, year=year)
    found = public_holidays(country, subdivision, year)
    result = _write_many(actor, branch, found, Holiday.Origin.PACKAGE, dry_run=dry_run,
                         action_data={"country": country, "subdivision": subdivision, "year": year})
    return {**result, "country": country, "subdivision": subdivision}


def _row_problem(row: int, message: str) -> ValidationFailed:
    return ValidationFailed(f"Row {row}: {message}", field="file", code="bad_row")


def parse_csv(data: bytes) -> tuple[dict[dt.date, str], list[ValidationFailed]]:
    found, problems = {}, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, [ValidationFailed("The file is not UTF-8 text.", field="file")]
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "date" not in header or "name" not in header:
        return {}, [ValidationFailed("The first row names the columns: date,name.", field="file")]
    at_date, at_name = header.index("date"), header.index("name")
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(found) + len(problems) >= MAX_ROWS:
            problems.append(ValidationFailed(f"A file has at most {MAX_ROWS} rows.", field="file"))
            break
        cells = row + [""] * (max(at_date, at_name) + 1 - len(row))
        day = name = None
        try:
            day = dt.date.fromisoformat(cells[at_date].strip())
        except ValueError:
            problems.append(_row_problem(number, f"date {cells[at_date].strip()!r} is not a date like 2026-12-25."))
        try:
            name = _name(cells[at_name])
        except ValidationFailed as exc:
            problems.append(_row_problem(number, f"name: {exc.message}"))
        if day is not None and name is not None:
            if day in found:
                problems.append(_row_problem(number, f"{day.isoformat()} is in the file twice."))
            else:
                found[day] = name
    return found, problems


def _ical_dates(start, end) -> list[dt.date]:
    if isinstance(start, dt.datetime):
        first = start.date()
        last = (end - dt.timedelta(microseconds=1)).date() if isinstance(end, dt.datetime) and end > start else first
    else:
        first = start
        last = end - dt.timedelta(days=1) if isinstance(end, dt.date) and end > start else first
    if isinstance(last, dt.datetime):
        last = last.date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def parse_ical(data: bytes) -> tuple[dict[dt.date, str], list[ValidationFailed]]:
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, TypeError):
        return {}, [ValidationFailed("The file is not an iCal calendar (.ics).", field="file")]
    found, problems = {}, []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        if len(found) >= MAX_ROWS:
            problems.append(ValidationFailed(f"A file has at most {MAX_ROWS} dates.", field="file"))
            break
        name = None
        try:
            name = _name(event.get("SUMMARY"))
        except ValidationFailed as exc:
            problems.append(_row_problem(number, f"SUMMARY: {exc.message}"))
        try:
            start = event.decoded("DTSTART")
        except (KeyError, ValueError, TypeError):
            problems.append(_row_problem(number, "the event has no valid DTSTART."))
            continue
        try:
            end = event.decoded("DTEND") if "DTEND" in event else None
            if end is None and "DURATION" in event:
                end = start + event.decoded("DURATION")
        except (KeyError, ValueError, TypeError):
            end = None
        if not isinstance(start, dt.date):
            problems.append(_row_problem(number, "DTSTART is not a date."))
            continue
        days = _ical_dates(start, end)
        if len(days) > MAX_EVENT_DAYS:
            problems.append(_row_problem(number, f"an event covers at most {MAX_EVENT_DAYS} days."))
            continue
        if name is None:
            continue
        for day in days:
            found.setdefault(day, name)
    return found, problems


def file_format(filename: str, data: bytes, given: str | None = None) -> str:
    if given:
        if given not in ("ical", "csv"):
            raise ValidationFailed("format is ical or csv.", field="format")
        return given
    lower = (filename or "").lower()
    if lower.endswith((".ics", ".ical", ".ifb", ".icalendar")):
        return "ical"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    return "ical" if data.lstrip()[:15].upper().startswith(b"BEGIN:VCALENDAR") else "csv"


def import_holidays(actor, *, data: bytes, filename: str = "", branch_id=None, dry_run=False,
                    fmt: str | None = None, size: int | None = None) -> dict:
    """Import a holiday file: all of it or nothing. Every problem is raised at once (422, field `file`,
    each message starting with the row number)."""
    require(actor, MANAGE)
    with Problems() as problems:
        branch = None
        with problems.check():
            branch = branch_of(branch_id)
        if (size if size is not None else len(data)) > MAX_FILE_BYTES:
            problems.add(f"A holiday file has at most {MAX_FILE_BYTES // 1024} KB.", field="file")
            data = b""
        kind = None
        with problems.check():
            kind = file_format(filename, data, fmt)
        if not data and not problems.about("file"):
            problems.add("The file is empty.", field="file")
        if kind and data:
            found, bad = (parse_ical if kind == "ical" else parse_csv)(data)
            for problem in bad:
                problems.add(problem)
            if not found and not bad:
                problems.add("The file holds no holidays.", field="file")
    origin = Holiday.Origin.ICAL if kind == "ical" else Holiday.Origin.CSV
    return _write_many(actor, branch, found, origin, dry_run=dry_run, action_data={"file": filename[:100]})
