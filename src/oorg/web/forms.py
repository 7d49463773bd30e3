"""Pages call the same services as the API. This is the one place that turns a service's
DomainError into a message on the form that caused it, and picks the status of the re-rendered page."""
from __future__ import annotations

from contextlib import contextmanager

from django.shortcuts import render

from oorg.core.errors import DomainError, NotFound, PermissionDenied, Throttled

INVALID_FORM_STATUS = 422


@contextmanager
def service_errors(form):
    """Run service calls for a valid form; a DomainError lands on `form` instead of escaping.

        with service_errors(form):
            user = services.sign_up(**form.cleaned_data)
            return redirect(...)          # skipped when the service refused
        return render_form(request, "accounts/signup.html", {"form": form}, form)

    NotFound, and a PermissionDenied that is not about one of the form's fields, escape and become the
    404 / 403 page (oorg.web.middleware.DomainErrorPageMiddleware). A PermissionDenied about a field
    (a role or permission the actor may not grant) is shown on that field, with status 403.
    """
    try:
        yield
    except NotFound:
        raise
    except PermissionDenied as exc:
        if exc.field not in form.fields:
            raise
        add_service_error(form, exc)
    except DomainError as exc:
        add_service_error(form, exc)


def add_service_error(form, exc: DomainError, *, keep_status: bool = False) -> None:
    """`keep_status`: answer with the error's own status (a refused delete: 409) rather than 422."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    keep_status = keep_status or isinstance(exc, Throttled | PermissionDenied)
    form.error_status = exc.status if keep_status else INVALID_FORM_STATUS
    form.retry_after = getattr(exc, "retry_after", None)


def form_status(*forms) -> int:
    """200 unless a submitted form was refused: then 422 (invalid input) or 429 (throttled)."""
    for form in forms:
        if form is not None and form.is_bound and form.errors:
            return getattr(form, "error_status", INVALID_FORM_STATUS)
    return 200


def render_form(request, template: str, context: dict, *forms):
    """Render a page holding `forms`, with the status of the first refused one."""
    status = form_status(*forms)
    response = render(request, template, context, status=status)
    retry_after = next((getattr(f, "retry_after", None) for f in forms if getattr(f, "retry_after", None)), None)
    if status == 429 and retry_after:
        response["Retry-After"] = str(retry_after)
    return response
