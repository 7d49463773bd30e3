"""Domain errors: raised by services, turned into 4xx JSON by the API and into form messages by views.

A service that checks several fields reports every problem at once: it collects them in `Problems` and
raises once, at the end, so the caller sees all of them in one answer.

    def update_branch(actor, branch, **changes):
        with Problems() as problems:                      # raises here, at the end, if anything was found
            for name, value in changes.items():
                with problems.check():                    # a refusal is noted and the loop goes on
                    setattr(branch, name, clean(name, value))
            if not problems.about("work_starts", "work_ends"):
                with problems.check():
                    v.clean_hours(branch.work_starts, branch.work_ends)
        branch.save()

One problem is raised as itself (a lone Conflict stays a 409); several become one `ValidationFailed` (422)
whose `problems` hold each of them. The API answers `{"detail", "code", "field": <first>, "errors":
[{"field", "message", "code"}, ...]}`; pages put each message on its field (core.forms.add_service_error).
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager


class DomainError(Exception):
    status = 400
    code = "invalid"
    message = "The request is not valid."

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str | None = None):
        self.message = message or self.message
        self.field = field
        if code:
            self.code = code
        super().__init__(self.message)

    @property
    def problems(self) -> list[DomainError]:
        """Each problem this refusal stands for: itself, or the several a ValidationFailed gathered."""
        return self.__dict__.get("_problems") or [self]

    @problems.setter
    def problems(self, value: Iterable[DomainError]) -> None:
        self._problems = list(value)

    def as_json(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        if self.status == 422:  # every 422 lists its problems, like a schema error does (oorg.api)
            body["errors"] = [{"field": p.field, "message": p.message, "code": p.code} for p in self.problems]
        return body


class ValidationFailed(DomainError):
    """Bad input. `problems`: several refusals found in one pass (each keeps its own field, message and code);
    the message then joins theirs and `field` is the first one's."""

    status = 422
    code = "validation_failed"

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str | None = None,
                 problems: Iterable[DomainError] = ()):
        found = [p for problem in problems for p in problem.problems]
        if found:
            message = message or " ".join(p.message for p in found)
            field = field if field is not None else found[0].field
            self.problems = found
        super().__init__(message, field=field, code=code)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found, or you have no permission to see it."


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    message = "You do not have permission to do this."


class AuthenticationFailed(DomainError):
    status = 401
    code = "authentication_failed"
    message = "Authentication failed."


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Throttled(DomainError):
    status = 429
    code = "throttled"
    message = "Too many attempts. Try again later."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


@contextmanager
def unchanged_on_refusal(*rows):
    """A service that sets fields before its last check puts `rows` back as stored when it refuses, so the
    caller's objects never show a change that was not saved."""
    try:
        yield
    except DomainError:
        for row in rows:
            if row.pk is not None:
                row.refresh_from_db()
        raise


# --- every problem at once ------------------------------------------------------------------------------------

# Refusals about the input, which a caller fixes by changing what it sent: collected, so all are reported
# together. Anything else (403, 404, 401, 429) ends the request at once.
INPUT_STATUSES = (400, 409, 422)


def is_input_problem(exc: BaseException) -> bool:
    return isinstance(exc, DomainError) and exc.status in INPUT_STATUSES


def refuse_all(problems: Iterable[DomainError]) -> None:
    """Raise nothing, the one problem as itself, or several as one ValidationFailed (a 422)."""
    problems = [p for problem in problems for p in problem.problems]
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationFailed(problems=problems)


class Problems:
    """Collects a service's refusals so they are reported together; see this module's docstring.

    `with Problems() as problems:` raises every problem found when the block ends (an input refusal that
    escapes the block is added to them). Used without `with`, it is a list for a `check_*` function to
    return: `return list(problems)`; `problems.raise_if_any()` raises them.

    `unchecked`: fields whose value is not known (a page form found them malformed before the service's
    check ran): `about()` counts them as having a problem, so the rules that need them are skipped rather
    than judged against a value the user did not send.
    """

    def __init__(self, *, unchecked: Iterable[str] = ()):
        self._items: list[DomainError] = []
        self._unchecked = frozenset(unchecked)

    def add(self, problem: DomainError | str, *, field: str | None = None) -> None:
        if isinstance(problem, str):
            problem = ValidationFailed(problem, field=field)
        self._items.extend(problem.problems)

    @contextmanager
    def check(self):
        """Run one check: an input refusal inside is noted (and the block left), anything else escapes."""
        try:
            yield
        except DomainError as exc:
            if not is_input_problem(exc):
                raise
            self.add(exc)

    def about(self, *fields: str) -> bool:
        """Whether any of `fields` has a problem or is unchecked (a rule that needs them is then skipped)."""
        return any(f in self._unchecked for f in fields) or any(p.field in fields for p in self._items)

    def raise_if_any(self) -> None:
        refuse_all(self._items)

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __enter__(self) -> Problems:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            if not is_input_problem(exc):
                return False  # a 403/404 or a bug: it goes on as it is
            self.add(exc)
        self.raise_if_any()
        return exc is not None  # the escaped input refusal is part of what raise_if_any raised


def describe_choices(choices) -> str:
    """How a message names the allowed values of a choice: "Full-time (full_time), Part-time (part_time)".
    `choices`: a Django Choices class or [(value, label), ...]."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return ", ".join(f"{label} ({value})" if str(label) != str(value) else str(value) for value, label in pairs)


# --- error pages ------------------------------------------------------------------------------------------
# core answers some requests itself (a body too large, before any view runs). The page layer registers how
# an error page looks (oorg.web does, from its AppConfig.ready()); until then the answer is plain text.
_error_page = None


def set_error_page(render) -> None:
    """`render(request, *, status, message)` -> HttpResponse."""
    global _error_page
    _error_page = render


def error_page(request, *, status: int, message: str):
    if _error_page is not None:
        return _error_page(request, status=status, message=message)
    from django.http import HttpResponse

    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
