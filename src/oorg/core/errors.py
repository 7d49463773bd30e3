"""Domain errors: raised by services, turned into 4xx JSON by the API and into form messages by views."""
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

    def as_json(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


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
