"""Helpers of the CRM import and export tests."""
import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile


def upload(client, plural, content, *, name="file.csv", dedupe="skip", mode="all_or_nothing", dry_run=False,
           mapping=None):
    """POST the file to /<plural>/import; jobs run eagerly in tests, so the 202 answer holds the result."""
    data = content.encode() if isinstance(content, str) else content
    body = {"file": SimpleUploadedFile(name, data), "dedupe": dedupe, "mode": mode,
            "dry_run": "true" if dry_run else "false"}
    if mapping is not None:
        body["mapping"] = json.dumps(mapping)
    return client.client.post(f"/api/v1/{plural}/import", body, **client._headers())


def result_of(response) -> dict:
    assert response.status_code == 202, response.content
    return response.json()["result"]


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
