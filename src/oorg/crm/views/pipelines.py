"""Pipeline settings pages (crm.settings.manage): the list, new/edit (name, stages in order with their
probability and outcome, the round-robin of new deals) and delete. The same services as the API."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core.errors import Conflict, DomainError
from oorg.core.forms import INVALID_FORM_STATUS, add_service_error, redirect_get_to, render_form
from oorg.core.models import Membership
from oorg.core.permissions import require

from ..models import Deal
from ..permissions import SETTINGS
from ..services import pipelines as services
from .deals import owner_label

BLANK_ROWS = 3
OUTCOMES = [("open", "Open"), ("won", "Won"), ("lost", "Lost")]


class PipelineForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    assignees = forms.TypedMultipleChoiceField(label="Hand new deals in turn to", required=False, coerce=int,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text="New deals without an owner go to these people in turn. "
                                                         "None chosen: whoever creates the deal owns it.")

    def __init__(self, *args, pipeline=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pipeline = pipeline
        members = Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")
        self.fields["assignees"].choices = [(m.pk, owner_label(m)) for m in members]
        stages = sorted(pipeline.stages.all(), key=lambda s: (s.position, s.pk)) if pipeline else []
        if self.is_bound:
            rows = int(self.data.get("rows") or 0)
            rows = max(0, min(rows, services.MAX_STAGES + BLANK_ROWS))
        else:
            rows = len(stages) + BLANK_ROWS if stages else len(services.DEFAULT_STAGES) + BLANK_ROWS
        self.rows = rows
        defaults = stages or [None] * 0
        for i in range(rows):
            stage = defaults[i] if i < len(defaults) else None
            default = services.DEFAULT_STAGES[i] if not stages and i < len(services.DEFAULT_STAGES) else None
            self.fields[f"stage_{i}_id"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
            self.fields[f"stage_{i}_name"] = forms.CharField(label=f"Stage {i + 1} name", required=False,
                                                             max_length=80)
            self.fields[f"stage_{i}_probability"] = forms.IntegerField(label=f"Stage {i + 1} probability (%)",
                                                                       required=False, min_value=0, max_value=100)
            self.fields[f"stage_{i}_outcome"] = forms.ChoiceField(label=f"Stage {i + 1} outcome", choices=OUTCOMES,
                                                                  required=False)
            if stage is not None:
                self.initial.update({f"stage_{i}_id": stage.pk, f"stage_{i}_name": stage.name,
                                     f"stage_{i}_probability": stage.probability,
                                     f"stage_{i}_outcome": "won" if stage.is_won else "lost" if stage.is_lost
                                     else "open"})
            elif default is not None:
                name, probability, won, lost = default
                self.initial.update({f"stage_{i}_name": name, f"stage_{i}_probability": probability,
                                     f"stage_{i}_outcome": "won" if won else "lost" if lost else "open"})

    def stage_rows(self):
        return [{"n": i + 1, "id": self[f"stage_{i}_id"], "name": self[f"stage_{i}_name"],
                 "probability": self[f"stage_{i}_probability"], "outcome": self[f"stage_{i}_outcome"]}
                for i in range(self.rows)]

    def stages(self) -> tuple[list[dict], list[int]]:
        """The filled rows as the service takes them, and the form row of each."""
        out, rows = [], []
        for i in range(self.rows):
            name = (self.cleaned_data.get(f"stage_{i}_name") or "").strip()
            if not name:
                continue
            outcome = self.cleaned_data.get(f"stage_{i}_outcome") or "open"
            probability = self.cleaned_data.get(f"stage_{i}_probability")
            out.append({"id": self.cleaned_data.get(f"stage_{i}_id"), "name": name,
                        "probability": probability if probability is not None else "",
                        "is_won": outcome == "won", "is_lost": outcome == "lost"})
            rows.append(i)
        return out, rows

    def add_refusal(self, exc: DomainError, rows: list[int]) -> None:
        """Put the service's `stages.<n>.<field>` problems on the row's inputs."""
        for problem in exc.problems:
            field = problem.field or ""
            parts = field.split(".")
            if len(parts) == 3 and parts[0] == "stages" and parts[1].isdigit() and int(parts[1]) < len(rows):
                name = {"is_won": "outcome", "is_lost": "outcome"}.get(parts[2], parts[2])
                problem.field = f"stage_{rows[int(parts[1])]}_{name}"
        add_service_error(self, exc, keep_status=isinstance(exc, Conflict))
        if getattr(self, "error_status", None) == 409 and not isinstance(exc, Conflict):
            self.error_status = INVALID_FORM_STATUS


def _form_page(request, form, pipeline=None, *, delete_form=None):
    deals = Deal.objects.filter(pipeline=pipeline).count() if pipeline else 0
    context = {"form": form, "pipeline": pipeline, "deals": deals, "delete_form": delete_form or forms.Form()}
    return render_form(request, "crm/pipelines/form.html", context, form, *([delete_form] if delete_form else []))


@require_safe
def pipeline_list(request, workspace_slug):
    actor = request.actor
    require(actor, SETTINGS)
    rows = [{"pipeline": p, "stages": sorted(p.stages.all(), key=lambda s: (s.position, s.pk)),
             "assignees": len(p.assignees)} for p in services.pipelines_for(actor)]
    return render(request, "crm/pipelines/list.html", {"rows": rows})


def _save(request, workspace_slug, form, pipeline=None):
    actor = request.actor
    if not form.is_valid():
        return _form_page(request, form, pipeline)
    stages, rows = form.stages()
    try:
        if pipeline is None:
            pipeline = services.create_pipeline(actor, name=form.cleaned_data["name"], stages=stages,
                                                assignees=form.cleaned_data["assignees"])
            messages.success(request, f"Pipeline {pipeline.name} created.")
        else:
            pipeline = services.update_pipeline(actor, pipeline, name=form.cleaned_data["name"], stages=stages,
                                                assignees=form.cleaned_data["assignees"])
            messages.success(request, f"Pipeline {pipeline.name} saved.")
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        form.add_refusal(exc, rows)
        return _form_page(request, form, pipeline)
    return redirect("crm:pipelines", workspace_slug=workspace_slug)


@require_http_methods(["GET", "POST"])
def pipeline_new(request, workspace_slug):
    require(request.actor, SETTINGS)
    if request.method != "POST":
        return _form_page(request, PipelineForm())
    return _save(request, workspace_slug, PipelineForm(request.POST))


@require_http_methods(["GET", "POST"])
def pipeline_edit(request, workspace_slug, pipeline_id: int):
    actor = request.actor
    require(actor, SETTINGS)
    pipeline = services.get_pipeline(actor, pipeline_id)
    initial = {"name": pipeline.name, "assignees": list(pipeline.assignees)}
    if request.method != "POST":
        return _form_page(request, PipelineForm(pipeline=pipeline, initial=initial), pipeline)
    return _save(request, workspace_slug, PipelineForm(request.POST, pipeline=pipeline, initial=initial), pipeline)


@redirect_get_to("crm:pipelines")
@require_POST
def pipeline_delete(request, workspace_slug, pipeline_id: int):
    actor = request.actor
    require(actor, SETTINGS)
    pipeline = services.get_pipeline(actor, pipeline_id)
    name = pipeline.name
    try:
        services.delete_pipeline(actor, pipeline)
    except Conflict as exc:
        delete_form = forms.Form(request.POST)
        delete_form.is_valid()
        add_service_error(delete_form, exc, keep_status=True)
        initial = {"name": pipeline.name, "assignees": list(pipeline.assignees)}
        return _form_page(request, PipelineForm(pipeline=pipeline, initial=initial), pipeline,
                          delete_form=delete_form)
    messages.success(request, f"Pipeline {name} deleted.")
    return redirect("crm:pipelines", workspace_slug=workspace_slug)


urlpatterns = [
    path("pipelines/", pipeline_list, name="pipelines"),
    path("pipelines/new", pipeline_new, name="pipeline-new"),
    path("pipelines/<int:pipeline_id>/edit", pipeline_edit, name="pipeline-edit"),
    path("pipelines/<int:pipeline_id>/delete", pipeline_delete, name="pipeline-delete"),
]
