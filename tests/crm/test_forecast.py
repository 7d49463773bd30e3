"""The forecast: open deals' amounts and weighted amounts by month and by owner, per currency, within scope."""
import pytest

from .deals_fixtures import make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(crm):
    # stage 0 Qualified 20%, 1 Proposal 50%, 2 Negotiation 80%, 3 Won, 4 Lost
    make_deal(crm, "member", name="A", amount="1000", expected_close_date="2027-01-10", stage=1)   # 500
    make_deal(crm, "member", name="B", amount="200.50", expected_close_date="2027-01-31", stage=0)  # 40.10
    make_deal(crm, "member", name="C", amount="300", currency="USD", expected_close_date="2027-01-05", stage=2)
    make_deal(crm, "member2", name="D", amount="1000", expected_close_date="2027-02-01", stage=2)  # 800
    make_deal(crm, "manager", name="E", amount="50", stage=0)  # no date: 10
    make_deal(crm, "member", name="Won", amount="9999", expected_close_date="2027-01-10", stage=3)
    make_deal(crm, "member", name="Lost", amount="9999", expected_close_date="2027-01-10", stage=4)


def test_the_forecast_by_month_owner_and_currency(crm, deals):
    body = crm["clients"]["admin"].get("/deals/forecast").json()
    assert body["by_month"] == [
        {"month": "2027-01", "currency": "EUR", "amount": "1200.50", "weighted": "540.10", "count": 2},
        {"month": "2027-01", "currency": "USD", "amount": "300.00", "weighted": "240.00", "count": 1},
        {"month": "2027-02", "currency": "EUR", "amount": "1000.00", "weighted": "800.00", "count": 1},
        {"month": None, "currency": "EUR", "amount": "50.00", "weighted": "10.00", "count": 1}]
    owners = {(r["owner_id"], r["currency"]): (r["amount"], r["weighted"], r["count"]) for r in body["by_owner"]}
    m = crm["members"]
    assert owners == {(m["member"].pk, "EUR"): ("1200.50", "540.10", 2), (m["member"].pk, "USD"): ("300.00", "240.00", 1),
                      (m["member2"].pk, "EUR"): ("1000.00", "800.00", 1), (m["manager"].pk, "EUR"): ("50.00", "10.00", 1)}
    assert {r["owner_name"] for r in body["by_owner"]} >= {crm["users"]["member"].full_name}


def test_the_forecast_filters_by_pipeline_and_dates(crm, deals):
    client = crm["clients"]["admin"]
    body = client.get("/deals/forecast?from=2027-02-01&to=2027-02-28").json()
    assert [(r["month"], r["amount"]) for r in body["by_month"]] == [("2027-02", "1000.00")]
    other = client.post("/pipelines", {"name": "Partners", "stages": [{"name": "Intro", "probability": 10}]}).json()
    assert client.get(f"/deals/forecast?pipeline_id={other['id']}").json() == {"by_month": [], "by_owner": []}
    assert client.get("/deals/forecast?from=someday").status_code == 422


def test_the_forecast_keeps_to_the_scope(crm, deals):
    mine = crm["clients"]["member"].get("/deals/forecast").json()
    assert {r["owner_id"] for r in mine["by_owner"]} == {crm["members"]["member"].pk}
    assert sum(r["count"] for r in mine["by_month"]) == 3
    team = crm["clients"]["manager"].get("/deals/forecast").json()
    assert {r["owner_id"] for r in team["by_owner"]} == {crm["members"]["member"].pk, crm["members"]["manager"].pk}
    assert "1000.00" not in [r["amount"] for r in team["by_month"] if r["month"] == "2027-02"]
