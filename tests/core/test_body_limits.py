"""Bodies are capped from their declared length before anything (CSRF, the multipart parser, a view) reads them."""
from __future__ import annotations

import pytest
from django.test import Client

from oorg.org.models import Employee

MB = 1024 * 1024


class UnreadableBody:
    """A wsgi.input that fails the test if anyone reads from it."""

    def __init__(self):
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        raise AssertionError("the body was read")

    readline = read


def post_declaring(client, path, size, *, content_type="multipart/form-data; boundary=xyz", **extra):
    body = UnreadableBody()
    response = client.generic("POST", path, b"", content_type=content_type,
                              CONTENT_LENGTH=str(size), **{"wsgi.input": body}, **extra)
    return response, body


@pytest.mark.django_db
def test_anonymous_200mb_multipart_signin_is_refused_before_it_is_read():
    response, body = post_declaring(Client(), "/signin", 200 * MB)

    assert response.status_code == 413
    assert body.reads == 0
    assert b"Too large" in response.content and b"larger than 2 MB" in response.content


@pytest.mark.django_db
def test_api_body_over_the_default_cap_answers_json_413_unread(api_client, owner, workspace):
    client = api_client(owner, workspace)
    response, body = post_declaring(client.client, "/api/v1/auth/signup", 3 * MB, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert body.reads == 0


@pytest.mark.django_db
def test_a_50mb_csv_is_refused_before_it_is_read(api_client, hr, workspace):
    client = api_client(hr, workspace)
    response, body = post_declaring(client.client, "/api/v1/employees/import?dry_run=false", 50 * MB,
                                    **client._headers())

    assert response.status_code == 413
    assert response.json() == {"detail": "The request is larger than 20.1 MB, the most this address accepts.",
                               "code": "body_too_large"}
    assert body.reads == 0


@pytest.mark.django_db
def test_an_upload_route_takes_a_file_larger_than_the_default_cap(api_client, hr, workspace):
    # 3 MB of rows: over the 2 MB default, within the import's own 20 MB.
    row = "E{0},Person {0},,,2026-01-05\n"
    content = "employee_code,full_name,department,manager_code,start_date\n" + "".join(
        row.format(i) for i in range(100_001))
    assert 2 * MB < len(content) < 5 * MB

    response = api_client(hr, workspace).upload("/employees/import?dry_run=true", "people.csv", content.encode())

    # Read and checked by the import job, which reports the file as too long: not refused unread.
    assert response.status_code == 202
    assert response.json()["result"]["errors"][0]["message"].startswith("The file has more than 100000 rows")


@pytest.mark.django_db
def test_the_photo_route_has_its_own_cap(api_client, hr, workspace, company):
    employee = company["sales_rep"]
    client = api_client(hr, workspace)
    response, body = post_declaring(client.client, f"/api/v1/employees/{employee.pk}/photo", 6 * MB,
                                    **client._headers())

    assert response.status_code == 413
    assert body.reads == 0


@pytest.mark.django_db
def test_a_chunked_body_without_length_is_refused_not_silently_dropped(api_client, owner, workspace):
    client = api_client(owner, workspace)
    response = client.client.generic("POST", "/api/v1/auth/signup", b"", content_type="application/json",
                                     CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")

    assert response.status_code == 411
    assert response.json()["code"] == "length_required"


@pytest.mark.django_db
def test_a_refused_body_changes_nothing(api_client, hr, workspace):
    before = Employee.all_workspaces.count()
    client = api_client(hr, workspace)
    post_declaring(client.client, "/api/v1/employees/import?dry_run=false", 50 * MB, **client._headers())

    assert Employee.all_workspaces.count() == before


def test_the_default_cap_is_a_setting(settings, db):
    settings.MAX_BODY_BYTES = 1024
    response, _ = post_declaring(Client(), "/signin", 2048, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
