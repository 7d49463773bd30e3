"""RowLookup must give exactly what the ORM gives, on SQLite and PostgreSQL alike."""
from django.forms.models import model_to_dict

from oorg.accounts.models import ApiToken
from oorg.core.db import RowLookup


def test_row_lookup_matches_the_orm(workspace, api_client):
    api_client(workspace.owner, workspace)  # makes a token
    expected = ApiToken.all_workspaces.select_related("membership", "user", "workspace").get()
    lookup = RowLookup(ApiToken, ("membership", "user", "workspace"), key="token_hash")

    found = lookup.fetch(expected.token_hash)

    assert model_to_dict(found) == model_to_dict(expected)
    for relation in ("membership", "user", "workspace"):
        mine, theirs = getattr(found, relation), getattr(expected, relation)
        assert {f.attname: getattr(mine, f.attname) for f in mine._meta.concrete_fields} == \
               {f.attname: getattr(theirs, f.attname) for f in theirs._meta.concrete_fields}
    assert found.expires_at.tzinfo is not None and found.workspace.require_two_factor is False
    assert lookup.fetch("no-such-hash") is None
