"""The CRM import wizard and the export link, as a person uses them."""
from django.core.files.uploadedfile import SimpleUploadedFile

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact
from tests.web.pages import signed_in_client, text

FILE = b"Name,E-mail,Company,Shoe size\nAda,ada@x.test,Analytical,42\nBad,nope,,1\nGrace,grace@x.test,Navy,3\n"


def test_upload_columns_check_then_import_the_valid_rows(crm):
    ws, slug = crm["workspace"], crm["workspace"].slug
    client = signed_in_client(crm["users"]["manager"])
    page = client.get(f"/w/{slug}/crm/import/?entity=contact")
    assert page.status_code == 200 and "Columns a file of contacts may have" in text(page)

    response = client.post(f"/w/{slug}/crm/import/", {"entity": "contact",
                                                      "file": SimpleUploadedFile("c.csv", FILE)})
    assert response.status_code == 302 and response["Location"].endswith("/crm/import/columns")
    mapping = client.get(response["Location"])
    body = text(mapping)
    assert mapping.status_code == 200 and "Unknown column" in body and "Skip the row" in body
    assert 'value="full_name" selected' in mapping.content.decode()

    check = client.post(f"/w/{slug}/crm/import/columns", {
        "header": ["Name", "E-mail", "Company", "Shoe size"], "column": ["full_name", "email", "company", ""],
        "dedupe": "update", "action": "check"})
    assert check.status_code == 302
    checked = client.get(check["Location"])
    body = text(checked)
    assert "The file needs fixing" in body and "Import only the 2 valid rows" in body
    assert "is not a valid email" in body or "email" in body
    with workspace_scope(ws):
        assert not Contact.objects.exists()

    done = client.post(f"/w/{slug}/crm/import/confirm", {"mode": "valid_rows"})
    assert done.status_code == 302
    result = text(client.get(done["Location"]))
    assert "Import finished" in result and "Created 2" in result and "2 new companies" in result
    with workspace_scope(ws):
        assert set(Contact.objects.values_list("email", flat=True)) == {"ada@x.test", "grace@x.test"}
        assert Company.objects.count() == 2
    again = client.post(f"/w/{slug}/crm/import/confirm", {"mode": "valid_rows"})
    assert again.status_code == 302 and again["Location"].endswith("/crm/import/")


def test_a_bad_upload_shows_the_form_again(crm):
    client = signed_in_client(crm["users"]["manager"])
    response = client.post(f"/w/{crm['workspace'].slug}/crm/import/",
                           {"entity": "deal", "file": SimpleUploadedFile("c.pdf", b"x")})
    assert response.status_code == 422 and "Upload a .csv or .xlsx file." in text(response)


def test_members_without_the_right_get_403_and_jobs_of_others_are_404(crm, other_crm):
    slug = crm["workspace"].slug
    member = signed_in_client(crm["users"]["member"])
    assert member.get(f"/w/{slug}/crm/import/").status_code == 403
    assert member.post(f"/w/{slug}/crm/import/confirm").status_code == 403
    assert member.get(f"/w/{slug}/crm/export?entity=lead").status_code == 403
    from oorg.crm.services import imports

    with workspace_scope(other_crm["workspace"]):
        job = imports.start(other_crm["actor"], "lead", upload=b"Name\nX\n", filename="x.csv")
    assert signed_in_client(crm["users"]["owner"]).get(f"/w/{slug}/crm/import/jobs/{job.pk}").status_code == 404


def test_export_link_downloads_the_filtered_list(crm):
    ws = crm["workspace"]
    with workspace_scope(ws):
        Contact.objects.create(workspace=ws, full_name="Mine", email="m@x.test", owner=crm["members"]["manager"])
        Contact.objects.create(workspace=ws, full_name="Sol's", email="s@x.test", owner=crm["members"]["member2"])
    client = signed_in_client(crm["users"]["manager"])
    response = client.get(f"/w/{ws.slug}/crm/export?entity=contact&format=csv&q=mine")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Mine" in body and "Sol" not in body
    assert client.get(f"/w/{ws.slug}/crm/export?entity=nope").status_code == 422
