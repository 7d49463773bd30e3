"""Exporting CRM records: the person's scope, the list's filters and cf columns, streamed CSV and XLSX."""
import io

from openpyxl import load_workbook

from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, CustomField, Deal, Lead

from .imports_fixtures import read_csv, result_of, upload


def seed(crm):
    ws, m = crm["workspace"], crm["members"]
    with workspace_scope(ws):
        CustomField.objects.create(workspace=ws, entity="lead", name="budget", label="Budget", type="number")
        CustomField.objects.create(workspace=ws, entity="lead", name="topics", label="Topics", type="multi_choice",
                                   choices=["a", "b"])
        Lead.objects.create(workspace=ws, full_name="Mia's lead", email="mia@x.test", owner=m["manager"],
                            status="new", tags=["hot", "vip"], custom_fields={"budget": 10, "topics": ["a", "b"]})
        Lead.objects.create(workspace=ws, full_name="Remy's lead", email="remy@x.test", owner=m["member"],
                            status="qualified", custom_fields={"budget": 20})
        Lead.objects.create(workspace=ws, full_name="Sol's lead", email="sol@x.test", owner=m["member2"],
                            status="new", custom_fields={"budget": 10})


def test_export_honours_scope_filters_and_custom_fields(crm):
    seed(crm)
    manager = crm["clients"]["manager"]

    everything = manager.get("/leads/export?format=csv")
    assert everything.status_code == 200 and everything["Content-Type"].startswith("text/csv")
    assert 'filename="leads.csv"' in everything["Content-Disposition"]
    rows = read_csv(everything)
    assert sorted(r["full_name"] for r in rows) == ["Mia's lead", "Remy's lead"]  # Sol is outside Mia's team
    mia = next(r for r in rows if r["full_name"] == "Mia's lead")
    assert (mia["tags"], mia["owner"], mia["cf.budget"], mia["cf.topics"]) == ("hot, vip", "manager@acme.test",
                                                                               "10", "a, b")

    assert [r["full_name"] for r in read_csv(manager.get("/leads/export?status=qualified"))] == ["Remy's lead"]
    assert [r["full_name"] for r in read_csv(manager.get("/leads/export?cf.budget=10"))] == ["Mia's lead"]
    assert [r["full_name"] for r in read_csv(manager.get("/leads/export?q=remy"))] == ["Remy's lead"]
    everyone = read_csv(crm["clients"]["admin"].get("/leads/export?cf.budget=10"))
    assert sorted(r["full_name"] for r in everyone) == ["Mia's lead", "Sol's lead"]

    bad = manager.get("/leads/export?status=nope")
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    assert manager.get("/leads/export?format=pdf").status_code == 422
    with workspace_scope(crm["workspace"]):
        audit = AuditEvent.objects.filter(action="crm.records.exported").order_by("seq").first()
        assert audit.data["rows"] == 2 and audit.data["entity"] == "lead"


def test_xlsx_export_and_round_trip_of_contacts(crm):
    manager = crm["clients"]["manager"]
    result_of(upload(manager, "contacts", "Name,Email,Company,Company domain\nAda,ada@x.test,Analytical,an.test\n"))
    response = manager.get("/contacts/export?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    header = values[0]
    assert values[1][header.index("company")] == "Analytical"
    assert values[1][header.index("company_domain")] == "an.test"
    # an export imports back: every row matches itself
    csv_body = b"".join(manager.get("/contacts/export").streaming_content)
    again = result_of(upload(manager, "contacts", csv_body, dedupe="update"))
    assert (again["created"], again["unchanged"]) == (0, 1)


def test_deals_and_companies_export(crm):
    ws, m = crm["workspace"], crm["members"]
    with workspace_scope(ws):
        acme = Company.objects.create(workspace=ws, name="Acme", domain="acme.test", owner=m["member"])
        ada = Contact.objects.create(workspace=ws, full_name="Ada", email="ada@x.test", owner=m["member"])
        Deal.objects.create(workspace=ws, name="Deal A", amount="100.00", pipeline=crm["pipeline"],
                            stage=crm["stages"][1], contact=ada, company=acme, owner=m["member"])
        Deal.objects.create(workspace=ws, name="Deal B", amount="5.00", pipeline=crm["pipeline"],
                            stage=crm["stages"][0], owner=m["member2"])
    rows = read_csv(crm["clients"]["manager"].get("/deals/export"))
    assert [(r["name"], r["stage"], r["contact_email"], r["company_domain"]) for r in rows] == [
        ("Deal A", "Proposal", "ada@x.test", "acme.test")]
    stage = crm["stages"][0].pk
    rows = read_csv(crm["clients"]["owner"].get(f"/deals/export?stage_id={stage}"))
    assert [r["name"] for r in rows] == ["Deal B"]
    assert [r["name"] for r in read_csv(crm["clients"]["manager"].get("/companies/export"))] == ["Acme"]


def test_export_is_forbidden_without_the_right_and_isolated_between_workspaces(crm, other_crm):
    seed(crm)
    assert crm["clients"]["member"].get("/leads/export").status_code == 403
    assert read_csv(other_crm["client"].get("/leads/export")) == []


def test_junk_and_nul_in_the_query_string_are_ignored_or_refused_never_stored(crm):
    from oorg.core.models import AuditEvent

    owner = crm["clients"]["owner"]
    junk = owner.get("/contacts/export?format=csv&%C3%A9%00x=1&q=")
    assert junk.status_code == 200
    event = AuditEvent.objects.filter(action="crm.records.exported").latest("seq")
    assert event.data["filters"] == {"q": ""}
    refused = owner.get("/contacts/export?format=csv&q=a%00b")
    assert refused.status_code == 422 and refused.json()["field"] == "q"
    assert owner.get("/contacts?cf.x%00=1").status_code == 422
