"""The four CRM list pages: scope, filters, keyset pages, chosen columns that persist, and saved views that are
each person's own."""
import re

import pytest

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import SavedView
from tests.web.pages import signed_in_client, text

from .activities_fixtures import make_record

pytestmark = pytest.mark.django_db


def url(crm, plural, query=""):
    return f"/w/{crm['workspace'].slug}/crm/{plural}/{query}"


def headers(page: str) -> list[str]:
    return re.findall(r'<th scope="col">([^<]+)</th>', page)


def row_links(page: str) -> list[str]:
    return re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', page)


@pytest.mark.parametrize("kind,plural,field", [("lead", "leads", "full_name"), ("contact", "contacts", "full_name"),
                                               ("company", "companies", "name"), ("deal", "deals", "name")])
def test_each_list_shows_only_what_the_person_sees(crm, kind, plural, field):
    make_record(crm, kind, "member", **{field: "Remy's record"})
    make_record(crm, kind, "member2", **{field: "Sol's record"})
    page = text(signed_in_client(crm["users"]["member"]).get(url(crm, plural)))
    assert "Remy&#x27;s record" in page and "Sol&#x27;s record" not in page
    assert "crm-table-scroll" in page  # the table scrolls sideways on a phone
    assert "Sol&#x27;s record" in text(signed_in_client(crm["users"]["admin"]).get(url(crm, plural)))


def test_filters_and_search(crm):
    make_record(crm, "lead", "member", full_name="Ada New", status="new", tags=["vip"])
    make_record(crm, "lead", "member", full_name="Bob Contacted", status="contacted")
    client = signed_in_client(crm["users"]["member"])
    assert row_links(text(client.get(url(crm, "leads", "?status=contacted")))) == ["Bob Contacted"]
    assert row_links(text(client.get(url(crm, "leads", "?q=ada")))) == ["Ada New"]
    assert row_links(text(client.get(url(crm, "leads", "?tag=vip")))) == ["Ada New"]
    bad = client.get(url(crm, "leads", "?status=maybe"))
    assert bad.status_code == 422 and "status is one of" in text(bad)
    empty = text(client.get(url(crm, "leads", "?q=nobody")))
    assert "No leads match these filters" in empty


def test_pages_of_25(crm):
    for i in range(30):
        make_record(crm, "company", "member", name=f"Firm {i:02d}")
    client = signed_in_client(crm["users"]["member"])
    first = text(client.get(url(crm, "companies")))
    names = row_links(first)
    assert len(names) == 25 and names[0] == "Firm 00" and "1–25 of 30" in first
    cursor = re.search(r'href="\?cursor=([^"]+)" rel="next"', first).group(1)
    second = row_links(text(client.get(url(crm, "companies", f"?cursor={cursor}"))))
    assert second == [f"Firm {i}" for i in range(25, 30)]


def test_chosen_columns_persist_per_person(crm):
    make_record(crm, "lead", "member", full_name="Ada", tags=["vip"])
    client = signed_in_client(crm["users"]["member"])
    assert "Tags" not in headers(text(client.get(url(crm, "leads"))))
    back = url(crm, "leads", "?q=ada")
    response = client.post(f"/w/{crm['workspace'].slug}/crm/lists/columns/",
                           {"entity": "lead", "columns": ["tags", "full_name"], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    page = text(client.get(url(crm, "leads")))
    assert headers(page) == ["Name", "Tags"] and "<td>vip</td>" in page
    # Someone else keeps the default columns.
    assert "Email" in headers(text(signed_in_client(crm["users"]["manager"]).get(url(crm, "leads"))))
    refused = client.post(f"/w/{crm['workspace'].slug}/crm/lists/columns/", {"entity": "lead", "columns": ["salary"]})
    assert refused.status_code == 302
    assert headers(text(client.get(url(crm, "leads")))) == ["Name", "Tags"]


def test_saved_views_are_each_persons_own(crm):
    make_record(crm, "lead", "member", full_name="Ada", status="qualified")
    make_record(crm, "lead", "member", full_name="Bob", status="new")
    slug = crm["workspace"].slug
    client = signed_in_client(crm["users"]["member"])
    response = client.post(f"/w/{slug}/crm/lists/views/", {"entity": "lead", "name": "Hot ones",
                                                            "query": "status=qualified&cursor=abc",
                                                            "columns": ["full_name", "status"]})
    assert response.status_code == 302
    with workspace_scope(crm["workspace"]):
        view = SavedView.objects.get(name="Hot ones")
    assert view.query == "status=qualified" and view.columns == ["full_name", "status"]
    page = text(client.get(response["Location"]))
    assert row_links(page) == ["Ada"] and headers(page) == ["Name", "Status"] and "Hot ones" in page
    assert "Hot ones" in text(client.get(url(crm, "leads")))
    # Another person sees nothing of it, and cannot delete it.
    other = signed_in_client(crm["users"]["manager"])
    assert "Hot ones" not in text(other.get(url(crm, "leads")))
    assert other.post(f"/w/{slug}/crm/lists/views/{view.pk}/delete/").status_code == 404
    assert client.post(f"/w/{slug}/crm/lists/views/", {"entity": "lead", "name": " "}).status_code == 302
    with workspace_scope(crm["workspace"]):
        assert SavedView.objects.exclude(name="").count() == 1
    assert client.post(f"/w/{slug}/crm/lists/views/{view.pk}/delete/").status_code == 302
    with workspace_scope(crm["workspace"]):
        assert not SavedView.objects.filter(pk=view.pk).exists()


def test_empty_list_explains_what_to_do(crm):
    page = text(signed_in_client(crm["users"]["member"]).get(url(crm, "deals")))
    assert "No deals yet." in page and "Add the first deal" in page


def test_links_to_the_other_crm_pages(crm):
    make_record(crm, "contact", "member")
    page = text(signed_in_client(crm["users"]["manager"]).get(url(crm, "contacts", "?q=cora")))
    assert "Import" in page and "Export" in page and "Find duplicates" in page and "Change these 1…" in page
