"""The holidays page (attendance:holidays): a branch's holidays for a year, and for those who manage attendance the
forms to add one, fill a year from the `holidays` package (country and region prefilled from the branch: its
country and its `holiday_calendar`, read as the package's subdivision code), import an iCal or CSV file, and
delete one behind a confirm. Every write goes through attendance/services/holidays.py."""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from oorg.core.forms import redirect_get_to, render_form, service_errors
from oorg.core.permissions import require
from oorg.org.models import Branch

from ..permissions import MANAGE
from ..services import holidays as services

EVERY = "all"


def _branch_choices():
    return [(EVERY, "Every branch"), *((str(b.pk), b.name) for b in Branch.objects.order_by("name", "pk"))]


class HolidayFilterForm(forms.Form):
    branch = forms.ChoiceField(label="Branch", required=False)
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = _branch_choices()


class HolidayForm(forms.Form):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label="Name", max_length=120)
    branch = forms.ChoiceField(label="Branch", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = _branch_choices()


class FillForm(forms.Form):
    branch = forms.ChoiceField(label="Branch", required=False)
    year = forms.IntegerField(label="Year", min_value=1900, max_value=2200)
    country = forms.CharField(label="Country code", max_length=2, required=False,
                              help_text="Two letters, like DE. Empty: the branch's country.")
    subdivision = forms.CharField(label="Region code", max_length=10, required=False,
                                  help_text="Like BE for Berlin. Empty: the branch's holiday calendar.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = _branch_choices()


class ImportForm(forms.Form):
    file = forms.FileField(label="iCal (.ics) or CSV file (columns date,name)",
                           widget=forms.ClearableFileInput(attrs={"accept": ".ics,.csv,text/calendar,text/csv"}))
    branch = forms.ChoiceField(label="Branch", required=False)
    dry_run = forms.BooleanField(label="Only check the file (write nothing)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = _branch_choices()


def _branch_id(value):
    return None if value in (None, "", EVERY) else value


def _selection(request) -> tuple[str, int]:
    form = HolidayFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return data.get("branch") or EVERY, data.get("year") or timezone.now().year


def _back(workspace_slug, branch, year):
    url = reverse("attendance:holidays", kwargs={"workspace_slug": workspace_slug})
    return redirect(f"{url}?{urlencode({'branch': branch or EVERY, 'year': year})}")


def _page(request, *, branch=None, year=None, add_form=None, fill_form=None, import_form=None):
    actor = request.actor
    services.require_read(actor)
    if branch is None:
        branch, year = _selection(request)
    branch_obj = Branch.objects.filter(pk=branch).first() if branch != EVERY and str(branch).isdigit() else None
    queryset = services.holiday_list(actor, branch_id=branch_obj.pk if branch_obj else None, year=year)
    if branch_obj is None:
        queryset = queryset.filter(branch__isnull=True)
    manage = actor.can(MANAGE)
    initial = {"branch": str(branch_obj.pk) if branch_obj else EVERY, "year": year}
    context = {"rows": list(queryset[:500]), "branch": branch_obj, "year": year, "manage": manage,
               "filter_form": HolidayFilterForm(initial=initial),
               "years": [year - 1, year + 1]}
    if manage:
        context["add_form"] = add_form or HolidayForm(initial=initial)
        context["fill_form"] = fill_form or FillForm(initial={
            **initial, "country": branch_obj.country if branch_obj else "",
            "subdivision": branch_obj.holiday_calendar if branch_obj else ""})
        context["import_form"] = import_form or ImportForm(initial=initial)
    forms_shown = [f for f in (add_form, fill_form, import_form) if f is not None]
    return render_form(request, "attendance/holidays/list.html", context, *forms_shown)


@require_safe
def holiday_list(request, workspace_slug):
    return _page(request)


@redirect_get_to("attendance:holidays")
@require_POST
def holiday_add(request, workspace_slug):
    require(request.actor, MANAGE)
    form = HolidayForm(request.POST)
    year = timezone.now().year
    if form.is_valid():
        data = form.cleaned_data
        with service_errors(form):
            holiday = services.create_holiday(request.actor, date=data["date"], name=data["name"],
                                              branch_id=_branch_id(data.get("branch")))
            messages.success(request, f"{holiday.name} on {holiday.date:%d %b %Y} added.")
            return _back(workspace_slug, data.get("branch"), holiday.date.year)
    branch = request.POST.get("branch") or EVERY
    return _page(request, branch=branch, year=year, add_form=form)


@redirect_get_to("attendance:holidays")
@require_POST
def holiday_fill(request, workspace_slug):
    require(request.actor, MANAGE)
    form = FillForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        branch_id = _branch_id(data.get("branch"))
        with service_errors(form):
            # Empty country/region: the branch's (a region is only taken from the branch when none is typed).
            result = services.fill_holidays(request.actor, branch_id=branch_id, year=data["year"],
                                            country=data.get("country") or None,
                                            subdivision=data.get("subdivision") or None)
            region = f"{result['country']}{'-' + result['subdivision'] if result['subdivision'] else ''}"
            messages.success(request, f"Public holidays of {region} for {data['year']}: {result['created']} added, "
                                      f"{result['skipped']} already there.")
            return _back(workspace_slug, data.get("branch"), data["year"])
    return _page(request, branch=request.POST.get("branch") or EVERY, year=timezone.now().year, fill_form=form)


@redirect_get_to("attendance:holidays")
@require_POST
def holiday_import(request, workspace_slug):
    require(request.actor, MANAGE)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        content = b"" if upload.size > services.MAX_FILE_BYTES else upload.read()
        with service_errors(form):
            result = services.import_holidays(request.actor, data=content, filename=upload.name or "",
                                              branch_id=_branch_id(data.get("branch")), dry_run=data["dry_run"],
                                              size=upload.size)
            if data["dry_run"]:
                messages.info(request, f"The file is fine: {result['created']} holidays would be added, "
                                       f"{result['skipped']} are already there. Nothing was written.")
            else:
                messages.success(request, f"{result['created']} holidays imported, {result['skipped']} were "
                                          "already there.")
            year = int(result["dates"][0][:4]) if result["dates"] else timezone.now().year
            return _back(workspace_slug, data.get("branch"), year)
    return _page(request, branch=request.POST.get("branch") or EVERY, year=timezone.now().year, import_form=form)


@redirect_get_to("attendance:holidays")
@require_POST
def holiday_delete(request, workspace_slug, holiday_id: int):
    holiday = services.get_holiday(request.actor, holiday_id)
    branch, year, name = holiday.branch_id, holiday.date.year, holiday.name
    services.delete_holiday(request.actor, holiday)
    messages.success(request, f"{name} removed.")
    return _back(workspace_slug, branch, year)


urlpatterns = [
    path("holidays/", holiday_list, name="holidays"),
    path("holidays/add", holiday_add, name="holiday-add"),
    path("holidays/fill", holiday_fill, name="holiday-fill"),
    path("holidays/import", holiday_import, name="holiday-import"),
    path("holidays/<int:holiday_id>/delete", holiday_delete, name="holiday-delete"),
]
