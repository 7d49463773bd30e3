"""Web-to-lead forms (crm.settings.manage): settings, the public address and its embed snippets."""
from __future__ import annotations

from ninja import Query, Router, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.errors import NotFound
from oorg.core.permissions import require
from oorg.core.schemas import Id

from ..models import WebForm
from ..permissions import SETTINGS
from ..schemas.web_forms import WebFormIn, WebFormOut, WebFormPatch
from ..services import web_forms

router = Router(tags=["crm"])


def _out(form: WebForm) -> dict:
    return {**{f: getattr(form, f) for f in ("id", "name", "key", "active", "consent_text", "consent_required",
                                             "thank_you", "redirect_url", "tags", "assignees", "created_at")},
            "url": web_forms.public_url(form), "embed": web_forms.embed(form)}


def _get(request, web_form_id: int) -> WebForm:
    require(request.actor, SETTINGS)
    form = WebForm.objects.filter(pk=web_form_id).first()
    if form is None:
        raise NotFound("No such web form.")
    return form


@router.get("/web-forms", response=list_of(WebFormOut), summary="Web-to-lead forms (crm.settings.manage)")
def web_form_list(request, page: Query[Page]):
    require(request.actor, SETTINGS)
    result = paginate(WebForm.objects.order_by("name", "id"), page)
    return {**result, "items": [_out(f) for f in result["items"]]}


@router.post("/web-forms", response={201: WebFormOut}, summary="Create a web form")
def web_form_create(request, payload: WebFormIn):
    return Status(201, _out(web_forms.create_web_form(request.actor, **payload.model_dump())))


@router.get("/web-forms/{int:web_form_id}", response=WebFormOut, summary="One web form, with its embed snippets")
def web_form_detail(request, web_form_id: Id):
    return _out(_get(request, web_form_id))


@router.patch("/web-forms/{int:web_form_id}", response=WebFormOut, summary="Change a web form")
def web_form_update(request, web_form_id: Id, payload: WebFormPatch):
    form = _get(request, web_form_id)
    return _out(web_forms.update_web_form(request.actor, form, **payload.model_dump(exclude_unset=True)))


@router.delete("/web-forms/{int:web_form_id}", response={204: None}, summary="Delete a web form (its leads stay)")
def web_form_delete(request, web_form_id: Id):
    web_forms.delete_web_form(request.actor, _get(request, web_form_id))
    return Status(204, None)


@router.post("/web-forms/{int:web_form_id}/rotate-key", response=WebFormOut,
             summary="A new public address; the old one answers 404")
def web_form_rotate(request, web_form_id: Id):
    return _out(web_forms.rotate_web_form_key(request.actor, _get(request, web_form_id)))
