"""Two approvers at once: exactly one decision wins (real concurrent transactions: threads on PostgreSQL, a
subprocess on a file database on SQLite; see the `race` fixture)."""
import pytest


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the threads' own connections must see the rows
def test_two_approvals_at_once_one_wins(race):
    result = race("two_approvals_at_once")
    assert result["errors"] == []
    assert result["answers"] == [200, 409]
    assert result["status"] == "approved" and result["version"] == 1
    assert result["taken"] == 1 and result["decisions"] == 1
