"""Pages call the same services as the API. This is the one place that turns a service's
DomainError into messages on the form that caused it, and picks the status of the re-rendered page.

The conventions every page form follows:
- Every problem at once. A service reports all it finds in one refusal (core.errors.Problems);
  `service_errors` puts each on its field, and those about fields the form lacks in its non-field errors.
  A `ServiceForm` also runs the service's rule check when some field fails Django's shape check, on the
  fields that passed, so one submission shows both kinds.
- POST/redirect/GET: a view answers a successful POST with a redirect, never a page
  (tests/web/test_post_redirect_get.py holds every POST page to it).
- A GET on a URL that only takes a form's POST goes to the page that holds the form
  (oorg.web.middleware.FormOnlyGetMiddleware; `redirect_get_to` names the page when the URL's parent
  is not it).
- Choices are shown by their labels, errors included (core.errors.describe_choices); countries and time
  zones are pickers (CountryField, TimeZoneField), and the services accept exactly what they offer.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from contextlib import contextmanager

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import render

from .errors import DomainError, NotFound, PermissionDenied, Throttled
from .places import countries, time_zone_names

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
    """Put each problem of `exc` on its field (on the form itself when the form has no such field).
    `keep_status`: answer with the error's own status (a refused delete: 409) rather than 422."""
    for problem in exc.problems:
        _add_message(form, problem.field, problem.message)
    keep_status = keep_status or isinstance(exc, Throttled | PermissionDenied)
    form.error_status = exc.status if keep_status else INVALID_FORM_STATUS
    form.retry_after = getattr(exc, "retry_after", None)


def add_problems(form, problems: Iterable[DomainError]) -> None:
    """Add a service check's problems (`check_*` returns them) to a form that already holds shape errors.
    A field that failed its shape check keeps only that message: the rule was checked without its value."""
    added = False
    for problem in (p for found in problems for p in found.problems):
        field = problem.field if problem.field in form.fields else None
        if field is not None and field in form.errors:
            continue
        added = _add_message(form, field, problem.message) or added
    if added:
        form.error_status = INVALID_FORM_STATUS


def _add_message(form, field: str | None, message: str) -> bool:
    field = field if field in form.fields else None
    if message in form.errors.get(field or NON_FIELD_ERRORS, ()):
        return False  # the same refusal twice (a check, then the service) is shown once
    form.add_error(field, message)
    return True


class ServiceForm(forms.Form):
    """A page form in front of one service call: shape errors and rule errors are shown together.

    Django's field checks find shape errors (not a date, too long); the service finds rule errors (an
    unknown department, an end before the start, a code already taken). When some field fails its shape
    check, `full_clean` still runs the service's check on the fields that passed, so the page shows every
    problem of the submission at once. When all fields pass, the rules are left to the service call that
    follows (it reports all of its problems in one refusal), so nothing is checked twice.

        class BranchForm(ServiceForm):
            def __init__(self, *args, actor, branch=None, **kwargs):
                super().__init__(*args, **kwargs)
                self.actor, self.branch, self.changes_only = actor, branch, branch is not None

            def check_rules(self, data, *, unchecked):
                return services.check_branch(self.actor, self.branch, data, unchecked=unchecked)

        form = BranchForm(request.POST, actor=actor, branch=branch)
        if form.is_valid():
            with service_errors(form):
                services.update_branch(actor, branch, **form.service_data())
                return redirect("org:branches", workspace_slug=workspace_slug)
        return render_form(request, "org/branch_form.html", {"form": form}, form)
    """

    changes_only = False  # an edit form sets it: the service gets only what the user changed

    def service_data(self) -> dict:
        """The service's keyword arguments, from the fields that passed their shape checks. With
        `changes_only`, only those that differ from `initial` (the stored row), so the service, and its
        audit record, sees what really moved."""
        data = getattr(self, "cleaned_data", {})
        if self.changes_only:
            return {name: data[name] for name in self.changed_data if name in data}
        return dict(data)

    def check_rules(self, data: dict, *, unchecked: set[str]) -> Iterable[DomainError]:
        """The service's `check_*` for `data`: every problem it would refuse, without saving. `unchecked`:
        the fields that failed their shape check (their rules are skipped)."""
        return ()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors and hasattr(self, "cleaned_data"):
            unchecked = set(self._errors) - {NON_FIELD_ERRORS}
            add_problems(self, self.check_rules(self.service_data(), unchecked=unchecked))


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


# --- form-only URLs ----------------------------------------------------------------------------------------


def redirect_get_to(page: str):
    """Name the page that holds a POST-only view's form (a URL name; it gets the URL's own arguments that it
    takes). A GET on the view's URL (a bookmark, a reload after the redirect) goes there. Without it the
    middleware picks the nearest parent path that is a page, which suits /w/<slug>/members/invite.

        @redirect_get_to("accounts:security")
        @require_POST
        def create_token(request): ...
    """

    def declare(view):
        view.get_redirects_to = page
        return view

    return declare


# --- pickers ---------------------------------------------------------------------------------------------
# A picker offers a closed list and the service accepts exactly that list. A stored value the list no longer
# offers (a renamed zone) stays selectable on the form that shows it, so saving other fields keeps it.


class _KeepsStoredValue:
    def get_bound_field(self, form, field_name):
        current = form.get_initial_for_field(self, field_name)
        if current and not self.offers(current) and current != getattr(self, "kept", None):
            self.choices = [(current, str(current)), *self.choices]
            self.kept = current
        return super().get_bound_field(form, field_name)

    def valid_value(self, value) -> bool:
        return self.offers(value) or (value and value == getattr(self, "kept", None))


@functools.cache
def time_zone_choices() -> list:
    """The zones grouped by region for a <select> with <optgroup>s: [("UTC", "UTC"), ("Africa", [...]), ...,
    ("Europe", [("Europe/Berlin", "Berlin"), ...]), ...]."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(time_zone_names() - {"UTC"}):
        region, _, place = name.partition("/")
        groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " / ")))
    return [("UTC", "UTC")] + sorted(groups.items())


class TimeZoneField(_KeepsStoredValue, forms.ChoiceField):
    """A time zone picker grouped by region; the value is an IANA name from time_zone_names()."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Time zone")
        super().__init__(choices=time_zone_choices, **kwargs)

    @staticmethod
    def offers(value) -> bool:
        return value in time_zone_names()


class CountryField(_KeepsStoredValue, forms.ChoiceField):
    """A country picker by name, in alphabetical order; the value is the ISO 3166-1 alpha-2 code. Optional
    fields start with an empty choice."""

    def __init__(self, *, required: bool = True, empty_label: str = "—", **kwargs):
        kwargs.setdefault("label", "Country")
        choices = list(countries().items())
        super().__init__(choices=choices if required else [("", empty_label), *choices], required=required,
                         **kwargs)

    def to_python(self, value) -> str:
        return super().to_python(value).strip().upper()

    def prepare_value(self, value):
        return value.strip().upper() if isinstance(value, str) else value  # "pt" shows Portugal chosen

    @staticmethod
    def offers(value) -> bool:
        return value in countries()


class ImageUploadField(forms.FileField):
    """A photo or logo upload: the file picker offers the formats core.images takes, and a file above its size
    cap is refused here, before the image is decoded (core.images re-encodes what passes)."""

    def __init__(self, *, noun: str = "image", **kwargs):
        from .images import FORMATS

        self.noun = noun
        accept = ",".join(f"image/{name.lower()}" for name in FORMATS)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        from .images import MAX_BYTES

        upload = super().clean(data, initial)
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The {self.noun} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        return upload
