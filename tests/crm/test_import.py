"""Importing CRM records: mapping, dry run, per-row problems, dedupe modes, relations, scope, limits."""
from oorg.core.models import AuditEvent, Job
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, ContactCompany, CustomField, Deal, Lead, TimelineEntry

from .imports_fixtures import result_of, upload

CONTACTS = """Name,Email,Phone,Company,Company domain,Tags
Ada Lovelace,ADA@Example.com,+44 20 7946 0018,Analytical,analytical.test,vip
Grace Hopper,grace@navy.test,,Navy,,
Alan Turing,alan@bletchley.test,,analytical,,"crypto, math"
"""


def contacts(ws):
    with workspace_scope(ws):
        return {c.email: c for c in Contact.objects.all()}


def test_contacts_with_their_companies_are_imported_in_one_go(crm):
    ws, manager = crm["workspace"], crm["clients"]["manager"]

    result = result_of(upload(manager, "contacts", CONTACTS))

    assert (result["created"], result["updated"], result["companies_created"]) == (3, 0, 2)
    assert result["written"] is True and result["error_count"] == 0
    with workspace_scope(ws):
        ada = Contact.objects.get(email="ada@example.com")
        assert ada.phone == "+442079460018" and ada.tags == ["vip"]
        assert ada.owner_id == crm["members"]["manager"].pk
        analytical = Company.objects.get(domain="analytical.test")
        # "analytical" on Alan's row is the company Ada's row creates: one company, two contacts
        assert sorted(c.full_name for c in analytical.contacts.all()) == ["Ada Lovelace", "Alan Turing"]
        assert Company.objects.count() == 2
        assert TimelineEntry.objects.filter(contact=ada, kind="created").count() == 1
        assert TimelineEntry.objects.filter(company=analytical, kind="created").count() == 1
        audit = AuditEvent.objects.get(action="crm.records.imported")
        assert audit.data["created"] == 3 and audit.data["entity"] == "contact"


def test_dry_run_reports_every_bad_row_and_writes_nothing(crm):
    ws, manager = crm["workspace"], crm["clients"]["manager"]
    bad = CONTACTS + "No Email Person,not-an-email,,,,\n,nobody@x.test,,,,\nZed,zed@x.test,12,,bad domain!,\n"

    result = result_of(upload(manager, "contacts", bad, dry_run=True))

    assert result["dry_run"] is True and result["written"] is False
    assert [(e["line"], e["field"]) for e in result["errors"]] == [
        (5, "email"), (6, "full_name"), (7, "company_domain"), (7, "phone")]
    assert result["created"] == 3
    with workspace_scope(ws):
        assert not Contact.objects.exists() and not Company.objects.exists()
    # all or nothing: the real run with the bad rows writes nothing either
    failed = upload(manager, "contacts", bad)
    assert failed.json()["state"] == "failed" and "Nothing was imported" in failed.json()["result"]["detail"]
    with workspace_scope(ws):
        assert not Contact.objects.exists()
    # only the valid rows
    result = result_of(upload(manager, "contacts", bad, mode="valid_rows"))
    assert result["created"] == 3 and result["rejected_rows"] == 3
    assert set(contacts(ws)) == {"ada@example.com", "grace@navy.test", "alan@bletchley.test"}


def test_duplicates_skip_update_or_create(crm):
    ws, manager = crm["workspace"], crm["clients"]["manager"]
    result_of(upload(manager, "contacts", CONTACTS))
    again = ("Name,Email,Phone,Job title\nAda L.,ada@example.com,,Countess\nG. Hopper,,,Admiral\n"
             "Someone,+44 20 7946 0018,,\nNew Person,new@x.test,,\nNew Twin,new@x.test,,\n")
    again = again.replace("Someone,+44 20 7946 0018,,", "Someone,,+44 20 7946 0018,")

    skipped = result_of(upload(manager, "contacts", again, dedupe="skip"))
    assert (skipped["created"], skipped["skipped"], skipped["updated"]) == (2, 3, 0)  # G. Hopper has no key
    assert contacts(ws)["ada@example.com"].full_name == "Ada Lovelace"

    refused = upload(manager, "contacts", "Name,Email,Job title\nAda,ada@example.com,Countess\n"
                                          "Ada again,ada@example.com,Poet\n", dedupe="update")
    assert refused.json()["state"] == "failed"
    assert refused.json()["result"]["errors"][0]["line"] == 3

    updated = result_of(upload(manager, "contacts", "Name,Email,Job title,Tags\nAda,ADA@example.com,Countess,poet\n"
                                                    "Phone Match,,,\n".replace(
                                                        "Phone Match,,,", "Phone Match,,,"), dedupe="update"))
    assert (updated["updated"], updated["created"]) == (1, 1)
    ada = contacts(ws)["ada@example.com"]
    assert (ada.full_name, ada.job_title, ada.tags) == ("Ada", "Countess", ["poet", "vip"])
    same = result_of(upload(manager, "contacts", "Name,Email,Job title\nAda,ada@example.com,Countess\n",
                            dedupe="update"))
    assert (same["updated"], same["unchanged"]) == (0, 1)

    created = result_of(upload(manager, "contacts", "Name,Email\nAda Two,ada@example.com\n", dedupe="create"))
    assert created["created"] == 1
    with workspace_scope(ws):
        assert Contact.objects.filter(email="ada@example.com").count() == 2


def test_phone_matches_when_there_is_no_email(crm):
    ws, manager = crm["workspace"], crm["clients"]["manager"]
    result_of(upload(manager, "leads", "Name,Phone\nLea,+49 30 1234567\n"))
    result = result_of(upload(manager, "leads", "Name,Phone,Status\nLea B,+49301234567,contacted\n",
                              dedupe="update"))
    assert result["updated"] == 1
    with workspace_scope(ws):
        lead = Lead.objects.get()
        assert (lead.full_name, lead.status, lead.source) == ("Lea B", "contacted", "import")


def test_an_import_never_matches_records_outside_the_importers_scope(crm):
    """Mia (team scope) imports an email Sol (member2, outside her team) already has: a new record is created,
    Sol's is untouched, and nothing tells Mia it exists."""
    ws = crm["workspace"]
    with workspace_scope(ws):
        sols = Contact.objects.create(workspace=ws, full_name="Sol's client", email="client@x.test",
                                      owner=crm["members"]["member2"])
        Company.objects.create(workspace=ws, name="Hidden Co", domain="hidden.test", owner=crm["members"]["member2"])
    result = result_of(upload(crm["clients"]["manager"], "contacts",
                              "Name,Email,Company domain\nClient,client@x.test,hidden.test\n", dedupe="update"))
    assert (result["created"], result["updated"], result["companies_created"]) == (1, 0, 1)
    with workspace_scope(ws):
        sols.refresh_from_db()
        assert sols.full_name == "Sol's client" and not sols.company_links.exists()
        mine = Contact.objects.exclude(pk=sols.pk).get()
        assert mine.owner_id == crm["members"]["manager"].pk
        assert mine.companies.get().owner_id == crm["members"]["manager"].pk
    # companies: by domain, also only those in scope
    result = result_of(upload(crm["clients"]["manager"], "companies", "Name,Domain\nX,hidden.test\n"))
    assert result["skipped"] == 1  # Mia's own hidden.test company, made just above; Sol's is not seen


def test_owner_column_needs_assign(crm):
    ws = crm["workspace"]
    owners = "Name,Email,Owner\nA,a@x.test,sol@acme.test\nB,b@x.test,nobody@acme.test\n"
    result = result_of(upload(crm["clients"]["admin"], "leads", owners, mode="valid_rows"))
    assert result["created"] == 1
    assert result["errors"] == [{"line": 3, "field": "owner",
                                 "message": "No active member of the workspace has the email nobody@acme.test."}]
    with workspace_scope(ws):
        assert Lead.objects.get(email="a@x.test").owner_id == crm["members"]["member2"].pk


def test_custom_fields_by_name_or_label(crm):
    ws = crm["workspace"]
    with workspace_scope(ws):
        CustomField.objects.create(workspace=ws, entity="company", name="tier", label="Customer tier", type="choice",
                                   choices=["gold", "silver"])
        CustomField.objects.create(workspace=ws, entity="company", name="seats", label="Seats", type="number")
    result = result_of(upload(crm["clients"]["manager"], "companies",
                              "Name,Customer tier,cf.seats\nAcme,gold,12\nBad,bronze,x\n", mode="valid_rows"))
    assert result["created"] == 1
    assert {(e["line"], e["field"]) for e in result["errors"]} == {(3, "cf.tier"), (3, "cf.seats")}
    with workspace_scope(ws):
        assert Company.objects.get().custom_fields == {"tier": "gold", "seats": 12}


def test_deals_link_contacts_companies_pipeline_and_stage(crm):
    ws, manager = crm["workspace"], crm["clients"]["manager"]
    result_of(upload(manager, "contacts", CONTACTS))
    deals = ("Name,Amount,Currency,Pipeline,Stage,Contact email,Company,Close date\n"
             "Big one,1200.50,usd,sales,proposal,ada@example.com,Analytical,2027-01-31\n"
             "Default stage,10,,,,,Brand New Co,\n"
             "Bad stage,1,,Sales,Nope,,,\n"
             "Bad pipeline,1,,Other,,,,\n"
             "Bad contact,1,,,,ghost@x.test,,\n")
    result = result_of(upload(manager, "deals", deals, mode="valid_rows"))
    assert (result["created"], result["companies_created"]) == (2, 1)
    assert [(e["line"], e["field"]) for e in result["errors"]] == [(4, "stage"), (5, "pipeline"),
                                                                    (6, "contact_email")]
    with workspace_scope(ws):
        big = Deal.objects.select_related("stage", "contact", "company").get(name="Big one")
        assert (big.stage.name, big.contact.email, big.company.domain, str(big.amount), big.currency) == (
            "Proposal", "ada@example.com", "analytical.test", "1200.50", "USD")
        other = Deal.objects.select_related("stage", "company").get(name="Default stage")
        assert other.stage == crm["stages"][0] and other.company.name == "Brand New Co"


def test_preview_maps_headers_and_refuses_unknown_columns(crm):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = crm["clients"]["manager"]
    response = client.client.post("/api/v1/leads/import/preview",
                                  {"file": SimpleUploadedFile("l.csv", b"Name,E-mail,Shoe size\nA,a@x.test,42\n")},
                                  **client._headers())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["mapping"] == {"Name": "full_name", "E-mail": "email", "Shoe size": ""}
    assert body["errors"][0]["field"] == "shoe_size"
    ignored = result_of(upload(client, "leads", "Name,E-mail,Shoe size\nA,a@x.test,42\n",
                               mapping={"Shoe size": ""}))
    assert ignored["created"] == 1


def test_wrong_role_and_other_workspace(crm, other_crm):
    member = crm["clients"]["member"]
    assert upload(member, "contacts", CONTACTS).status_code == 403
    assert member.get("/leads/export").status_code == 403
    result_of(upload(other_crm["client"], "contacts", CONTACTS))
    with workspace_scope(crm["workspace"]):
        assert not Contact.objects.exists()
        job = Job.objects.first()
    with workspace_scope(other_crm["workspace"]):
        assert Contact.objects.count() == 3
        theirs = Job.objects.get()
    assert job is None
    assert crm["clients"]["owner"].get(f"/jobs/{theirs.pk}").status_code == 404


def test_hostile_files_are_refused(crm, settings):
    from oorg.crm.services import imports

    client = crm["clients"]["manager"]
    too_big = client.client.post("/api/v1/contacts/import", data=b"x", content_type="text/csv",
                                 CONTENT_LENGTH=str(imports.MAX_FILE_BYTES + 1024 * 1024), **client._headers())
    assert too_big.status_code == 413
    imports.MAX_ROWS_SAVED = imports.CrmImport.max_rows
    imports.CrmImport.max_rows = 5
    try:
        rows = "Name,Email\n" + "".join(f"P{i},p{i}@x.test\n" for i in range(6))
        response = upload(client, "contacts", rows)
        assert response.json()["state"] == "failed"
        assert "more than 5 rows" in response.json()["result"]["errors"][0]["message"]
    finally:
        imports.CrmImport.max_rows = imports.MAX_ROWS_SAVED
    assert upload(client, "contacts", b"PK\x03\x04garbage", name="x.xlsx").json()["state"] == "failed"
    assert upload(client, "contacts", "a,b\n1,2\n", name="x.exe").json()["state"] == "failed"
    with workspace_scope(crm["workspace"]):
        assert not Contact.objects.exists() and not ContactCompany.objects.exists()


def test_imported_records_events_carry_what_the_api_answers(crm):
    """The import builds its created events' payloads from plain column values: they must be the API's dump."""
    from oorg.core.models import Event
    from oorg.crm.schemas.companies import company_out
    from oorg.crm.schemas.contacts import contact_out

    ws, manager = crm["workspace"], crm["clients"]["manager"]

    result_of(upload(manager, "contacts", CONTACTS))

    with workspace_scope(ws):
        sent = {(e.type, e.target_id): e.data for e in Event.objects.filter(type__startswith="crm.")}
        for contact in Contact.objects.prefetch_related("company_links"):
            payload = sent[("crm.contact.created", str(contact.pk))]
            assert payload == contact_out(contact)
        assert sent[("crm.contact.created", str(contacts(ws)["ada@example.com"].pk))]["company_ids"]
        for company in Company.objects.all():
            payload = sent[("crm.company.created", str(company.pk))]
            assert payload == company_out(company)
