"""The board, the forecast, the deal pages and the pipeline settings pages, as a signed-in browser sees them."""
import pytest

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Deal, Pipeline, StageChange
from tests.web.pages import signed_in_client, text

from .deals_fixtures import make_deal

pytestmark = pytest.mark.django_db


def url(crm, path):
    return f"/w/{crm['workspace'].slug}/crm/{path}"


def test_the_board_shows_columns_cards_and_weighted_totals(crm):
    make_deal(crm, "member", name="Acme rollout", amount="1000", stage=1)
    make_deal(crm, "member2", name="Sol's secret", amount="500", stage=1)
    page = text(signed_in_client(crm["users"]["member"]).get(url(crm, "board/")))
    assert "Acme rollout" in page and "Sol&#x27;s secret" not in page and "Sol's secret" not in page
    for stage in ("Qualified", "Proposal", "Negotiation", "Won", "Lost"):
        assert f">{stage} <" in page
    assert "1,000.00 EUR" in page and "weighted 500.00 EUR" in page
    assert "Move to next stage" in page and "Move to previous stage" in page
    admin = text(signed_in_client(crm["users"]["admin"]).get(url(crm, "board/?q=secret")))
    assert "Sol&#x27;s secret" in admin and "Acme rollout" not in admin


def test_a_card_moves_without_javascript_and_the_move_is_recorded(crm):
    deal = make_deal(crm, "member", name="Acme rollout", amount="1000")
    client = signed_in_client(crm["users"]["member"])
    response = client.post(url(crm, f"board/deals/{deal.pk}/move"),
                           {"stage_id": crm["stages"][1].pk, "back": f"pipeline={crm['pipeline'].pk}&q=acme"})
    assert response.status_code == 302 and response["Location"].endswith(f"?pipeline={crm['pipeline'].pk}&q=acme")
    assert "Deal Acme rollout moved to Proposal." in text(client.get(response["Location"]))
    with workspace_scope(crm["workspace"]):
        change = StageChange.objects.get(deal=deal)
        assert change.by == crm["users"]["member"] and change.to_stage == crm["stages"][1]


def test_the_board_script_gets_json_back(crm):
    deal = make_deal(crm, "member", name="Acme rollout", amount="1000")
    client = signed_in_client(crm["users"]["member"])
    answer = client.post(url(crm, f"board/deals/{deal.pk}/move"), {"stage_id": crm["stages"][2].pk},
                         HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["message"] == "Deal Acme rollout moved to Negotiation"
    assert body["columns"][str(crm["stages"][2].pk)] == {
        "count": 1, "totals": [{"currency": "EUR", "amount": "1,000.00 EUR", "weighted": "800.00 EUR"}]}
    refused = client.post(url(crm, f"board/deals/{deal.pk}/move"), {"stage_id": 987654},
                          HTTP_ACCEPT="application/json")
    assert refused.status_code == 422 and "was not moved" in refused.json()["message"]


def test_nobody_moves_a_deal_they_cannot_see(crm):
    deal = make_deal(crm, "member2", name="Sol's")
    client = signed_in_client(crm["users"]["member"])
    assert client.post(url(crm, f"board/deals/{deal.pk}/move"), {"stage_id": crm["stages"][1].pk}).status_code == 404
    with workspace_scope(crm["workspace"]):
        assert Deal.objects.get(pk=deal.pk).stage == crm["stages"][0]


def test_the_board_makes_the_default_pipeline_when_there_is_none(crm):
    with workspace_scope(crm["workspace"]):
        Pipeline.objects.all().delete()
    page = text(signed_in_client(crm["users"]["member"]).get(url(crm, "board/")))
    assert "Sales board" in page and "Negotiation" in page


def test_the_forecast_page_shows_the_chart_and_tables_in_scope(crm):
    make_deal(crm, "member", name="A", amount="1000", expected_close_date="2027-01-10", stage=1)
    make_deal(crm, "member2", name="B", amount="777", expected_close_date="2027-01-10", stage=1)
    page = text(signed_in_client(crm["users"]["member"]).get(url(crm, "forecast/")))
    assert "<svg" in page and "2027-01" in page and "1000.00" in page and "500.00" in page and "777" not in page
    bad = signed_in_client(crm["users"]["member"]).get(url(crm, "forecast/?from=someday"))
    assert bad.status_code == 422


def test_a_deal_is_created_edited_and_deleted_through_its_pages(crm):
    client = signed_in_client(crm["users"]["manager"])
    refused = client.post(url(crm, "deals/new"), {"name": "", "amount": "1.234", "currency": "EURO",
                                                  "stage_id": crm["stages"][0].pk})
    assert refused.status_code == 422
    page = text(refused)
    assert "at most 2 decimals" in page and "at most 3 characters" in page
    created = client.post(url(crm, "deals/new"), {"name": "Fair stand", "amount": "250.5", "currency": "EUR",
                                                  "stage_id": crm["stages"][1].pk})
    assert created.status_code == 302
    with workspace_scope(crm["workspace"]):
        deal = Deal.objects.get(name="Fair stand")
    assert str(deal.amount) == "250.50" and deal.stage == crm["stages"][1]
    detail = text(client.get(created["Location"]))
    assert "Fair stand" in detail and "250.50 EUR" in detail and "Stage history" in detail
    edited = client.post(url(crm, f"deals/{deal.pk}/edit"), {"name": "Fair stand", "amount": "250.50",
                                                            "currency": "EUR", "stage_id": crm["stages"][2].pk,
                                                            "owner_id": crm["members"]["manager"].pk})
    assert edited.status_code == 302
    detail = text(client.get(edited["Location"]))
    assert "Negotiation" in detail and "Proposal" in detail  # the history row
    assert client.get(url(crm, f"deals/{deal.pk}/delete")).status_code == 200
    gone = client.post(url(crm, f"deals/{deal.pk}/delete"))
    assert gone.status_code == 302
    with workspace_scope(crm["workspace"]):
        assert not Deal.objects.filter(pk=deal.pk).exists()


def test_pipeline_settings_pages(crm):
    member = signed_in_client(crm["users"]["member"])
    assert member.get(url(crm, "pipelines/")).status_code == 403
    client = signed_in_client(crm["users"]["admin"])
    assert "Sales" in text(client.get(url(crm, "pipelines/")))
    form = {"rows": "3", "name": "Partners", "stage_0_name": "Intro", "stage_0_probability": "10",
            "stage_0_outcome": "open", "stage_1_name": "Signed", "stage_1_probability": "100",
            "stage_1_outcome": "won", "stage_2_name": "intro", "stage_2_probability": "5"}
    refused = client.post(url(crm, "pipelines/new"), form)
    assert refused.status_code == 422 and "each needs its own name" in text(refused)
    created = client.post(url(crm, "pipelines/new"), {**form, "stage_2_name": ""})
    assert created.status_code == 302
    with workspace_scope(crm["workspace"]):
        pipeline = Pipeline.objects.get(name="Partners")
        assert [s.name for s in pipeline.stages.order_by("position")] == ["Intro", "Signed"]
    edit = client.get(url(crm, f"pipelines/{pipeline.pk}/edit"))
    assert edit.status_code == 200 and "Intro" in text(edit)
    deal = make_deal(crm, name="Holds it", pipeline_id=pipeline.pk, stage_id=None)
    blocked = client.post(url(crm, f"pipelines/{pipeline.pk}/delete"))
    assert blocked.status_code == 409 and "still has deals" in text(blocked)
    with workspace_scope(crm["workspace"]):
        Deal.objects.filter(pk=deal.pk).delete()
    assert client.post(url(crm, f"pipelines/{pipeline.pk}/delete")).status_code == 302


def test_a_full_column_links_to_the_rest(crm, monkeypatch):
    from oorg.crm.views import board

    monkeypatch.setattr(board, "CAP", 2)
    for n in range(3):
        make_deal(crm, "admin", name=f"Deal {n}", amount="10")
    page = text(signed_in_client(crm["users"]["admin"]).get(url(crm, "board/")))
    assert "1 more in Qualified" in page and "data-count>3<" in page
    assert f"stage_id={crm['stages'][0].pk}" in page
