"""Record scopes hold on every route: a salesperson who sees only their own records never sees a colleague's
lead, contact, company, deal, note or activity, in any API answer or page; a manager sees their team's and no
one else's; an admin sees all. The walk enumerates the routes itself (the OpenAPI document, the crm: URL
patterns), so a route added later is walked too."""
from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver

from oorg.api import api
from oorg.core.tenancy import workspace_scope
from oorg.crm import urls as crm_urls
from oorg.crm.models import Activity, Company, Contact, Deal, Lead, Note, TimelineEntry
from tests.web.pages import signed_in_client

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1"
KINDS = ("lead", "contact", "company", "deal", "activity", "note")


def _records(crm, role: str, marker: str) -> dict:
    """One of each record owned by `role`, every name carrying `marker`."""
    ws, owner = crm["workspace"], crm["members"][role]
    common = {"workspace": ws, "owner": owner}
    with workspace_scope(ws):
        company = Company.objects.create(**common, name=f"{marker} GmbH", domain=f"{marker.lower()}.example")
        contact = Contact.objects.create(**common, full_name=f"{marker} Contact", email=f"c@{marker.lower()}.example")
        contact.companies.add(company, through_defaults={"workspace": ws})
        lead = Lead.objects.create(**common, full_name=f"{marker} Lead", email=f"l@{marker.lower()}.example")
        deal = Deal.objects.create(**common, name=f"{marker} Deal", amount=1000, pipeline=crm["pipeline"],
                                   stage=crm["stages"][0], contact=contact, company=company)
        activity = Activity.objects.create(workspace=ws, owner=owner, kind="call", subject=f"{marker} call",
                                           deal=deal)
        note = Note.objects.create(workspace=ws, body=f"<p>{marker} note</p>", contact=contact)
        for record in (lead, contact, company, deal):
            TimelineEntry.objects.create(workspace=ws, kind="created", summary=f"{marker} created",
                                         **{record._meta.model_name: record})
        TimelineEntry.objects.create(workspace=ws, kind="note", note=note, contact=contact, summary=f"{marker} note")
    return {"lead": lead, "contact": contact, "company": company, "deal": deal, "activity": activity, "note": note}


@pytest.fixture
def team(crm):
    return {role: _records(crm, role, marker) for role, marker in
            (("member", "Mine7"), ("member2", "Colleague9"), ("manager", "Boss3"))}


SEGMENTS = {"leads": "lead", "contacts": "contact", "companies": "company", "deals": "deal",
            "activities": "activity", "notes": "note"}


def _kind_of(param: str, first_segment: str) -> str | None:
    """Which of a person's records a path parameter names (None: a setting, not a scoped record)."""
    for kind in KINDS:
        if kind in param:
            return kind
    return SEGMENTS.get(first_segment) if param in ("id", "pk") else None


def api_gets() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    crm_first = ("leads", "contacts", "companies", "deals", "activities", "notes", "pipelines", "custom-fields",
                 "web-forms")
    return sorted(p.removeprefix(PREFIX) for p, ops in paths.items()
                  if "get" in ops and p.removeprefix(PREFIX).split("/")[1] in crm_first)


def _fill(path: str, records: dict) -> str | None:
    first = path.split("/")[1]
    for param in re.findall(r"{(\w+)}", path):
        kind = _kind_of(param, first)
        if kind is None:
            return None  # a setting (pipeline, custom field, web form, job): not a scoped record
        path = path.replace("{" + param + "}", str(records[kind].pk))
    return path


@pytest.mark.parametrize("viewer, hidden, shown", [
    ("member", ("member2", "manager"), ("member",)),
    ("member2", ("member", "manager"), ("member2",)),
    ("manager", ("member2",), ("manager", "member")),
])
def test_no_api_answer_shows_a_record_outside_the_scope(crm, team, viewer, hidden, shown):
    client = crm["clients"][viewer]
    markers = {"member": "Mine7", "member2": "Colleague9", "manager": "Boss3"}
    walked = 0
    for template in api_gets():
        if "export" in template:
            continue  # exports: tests/crm/test_export*.py (the roles here may not export)
        if "{" not in template:
            response = client.get(template)
            assert response.status_code in (200, 403), f"GET {template}: {response.status_code}"
            body = response.content.decode()
            for role in hidden:
                assert markers[role] not in body, f"GET {template} as {viewer} shows {role}'s records"
            walked += 1
            continue
        for role in hidden:
            path = _fill(template, team[role])
            if path is None:
                continue
            response = client.get(path)
            assert response.status_code == 404, f"GET {path} ({template}) as {viewer}: {response.status_code}"
            walked += 1
        for role in shown:
            path = _fill(template, team[role])
            if path is not None:
                response = client.get(path)
                assert response.status_code == 200, f"GET {path} as {viewer} of {role}'s: {response.status_code}"
    assert walked > 20


def _page_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _page_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


@pytest.mark.parametrize("viewer, hidden", [("member", ("member2", "manager")), ("manager", ("member2",))])
def test_no_page_shows_a_record_outside_the_scope(crm, team, viewer, hidden):
    client = signed_in_client(crm["users"][viewer])
    slug = crm["workspace"].slug
    markers = {"member": "Mine7", "member2": "Colleague9", "manager": "Boss3"}
    walked = 0
    for pattern, _entry in _page_patterns(crm_urls.urlpatterns):
        params = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        kinds = {p: _kind_of(p, "") or _kind_of(pattern.split("/<")[0].rsplit("/", 1)[-1], "") for p in params}
        if None in kinds.values():
            continue
        for role in hidden if params else (None,):
            path = pattern
            for param in params:
                path = re.sub(r"<(?:\w+:)?" + param + ">", str(team[role][kinds[param]].pk), path)
            response = client.get(f"/w/{slug}/crm/{path}")
            if params:
                # Like an id that exists nowhere: 404, or the 403 a role gets for any id (telling nothing).
                absent = client.get(f"/w/{slug}/crm/{re.sub(r'<[^>]+>', '987654321', pattern)}")
                assert response.status_code == absent.status_code, f"{path} as {viewer}: {response.status_code}"
                assert response.status_code in (404, 403, 302, 303, 405), f"{path} as {viewer}"
                if response.status_code in (302, 303):  # a POST-only URL sends GETs to its page
                    assert markers[role] not in client.get(response["Location"]).content.decode(), path
            else:
                # Pages about one kind of record (export, duplicates, bulk review) take ?entity=.
                answers = [response] + [client.get(f"/w/{slug}/crm/{path}?entity={entity}")
                                        for entity in ("lead", "contact", "company", "deal")]
                for answer in answers:
                    assert answer.status_code in (200, 302, 303, 403, 404, 422), f"{path} as {viewer}: {answer.status_code}"
                    body = answer.getvalue().decode() if answer.streaming else answer.content.decode()
                    for other in hidden:
                        assert markers[other] not in body, f"/crm/{path} as {viewer} shows {other}'s records"
            walked += 1
    assert walked > 10
