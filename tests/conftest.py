"""Shared fixtures: two workspaces with owners, an admin and a member; API clients; the outbox."""
from __future__ import annotations

import datetime as dt
import email
import importlib
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from oorg.accounts import services as accounts
from oorg.accounts.models import User
from oorg.core.models import Membership
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services as org_services
from oorg.workspaces.services import accept_invitation, create_workspace, invite_member

PASSWORD = "Sturdy-Passphrase-42"


@pytest.fixture(autouse=True)
def _outbox_and_files(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"
    settings.EMAIL_BACKEND = "oorg.core.mail.OutboxBackend"
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]


def _run_pending_on_commit():
    """Under the `db` fixture the whole test is one transaction, so on_commit hooks (email sends) wait for a
    commit that never comes. Each service's own atomic block would have committed by now: run them."""
    from django.db import connection

    while connection.run_on_commit:  # a job run here may queue more (a queued job that sends mail)
        pending, connection.run_on_commit[:] = list(connection.run_on_commit), []
        for _sids, func, _robust in pending:
            func()


@pytest.fixture
def outbox(settings):
    """Read the emails sent so far: a list of email.message.Message, oldest first."""

    class Outbox:
        def messages(self):
            _run_pending_on_commit()
            folder = Path(settings.OUTBOX_DIR)
            if not folder.exists():
                return []
            return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]

        def to(self, address):
            return [m for m in self.messages() if m["To"] == address]

        def _newest(self, address, pattern):
            # Of the newest email that has one: a notice (a security notice, say) may have been mailed since.
            for message in reversed(self.to(address)):
                part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
                found = part is not None and re.search(pattern, part.get_payload(decode=True).decode())
                if found:
                    return found.group(1)
            raise AssertionError(f"no email to {address} matches {pattern!r}")

        def last_code(self, address, digits=6):
            return self._newest(address, rf"\b(\d{{{digits}}})\b")

        def last_invitation_code(self, address):
            return self._newest(address, r"Your invitation code: (\S+)")

    return Outbox()


def make_user(email, *, verified=True, password=PASSWORD, full_name=None):
    return User.objects.create_user(
        email, password, full_name=full_name or email.split("@")[0].title(),
        email_verified_at=timezone.now() if verified else None,
    )


def make_workspace(name, owner_email):
    owner = make_user(owner_email)
    return create_workspace(owner, name=name), owner


def add_member(workspace, owner, email, role):
    with workspace_scope(workspace):
        actor = actor_for(owner, workspace)
        invitation = invite_member(actor, email=email, role=role)
    user, membership = accept_invitation(code=invitation.plain_code, password=PASSWORD, full_name=email.split("@")[0])
    return user


def actor_for(user, workspace):
    with workspace_scope(workspace):
        m = Membership.objects.get(user=user)
    return Actor(user=user, workspace=workspace, membership=m, role=m.role)


@pytest.fixture
def workspace(db):
    ws, owner = make_workspace("Acme Corp", "owner@acme.test")
    ws.owner = owner
    return ws


@pytest.fixture
def other_workspace(db):
    ws, owner = make_workspace("Globex", "owner@globex.test")
    ws.owner = owner
    return ws


@pytest.fixture
def owner(workspace):
    return workspace.owner


@pytest.fixture
def admin(workspace):
    return add_member(workspace, workspace.owner, "admin@acme.test", "admin")


@pytest.fixture
def member(workspace):
    return add_member(workspace, workspace.owner, "member@acme.test", "member")


@pytest.fixture
def hr(workspace):
    return add_member(workspace, workspace.owner, "hr@acme.test", "hr")


@pytest.fixture
def manager(workspace):
    return add_member(workspace, workspace.owner, "manager@acme.test", "manager")


class ApiClient:
    """A JSON client that sends a bearer token, like curl would."""

    def __init__(self, token=None):
        self.client = Client()
        self.token = token

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def request(self, method, path, data=None, **extra):
        import json

        kwargs = {**self._headers(), **extra}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def upload(self, path, filename, content: bytes, *, field="file", **kw):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(f"/api/v1{path}", {field: SimpleUploadedFile(filename, content)},
                                **self._headers(), **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("PATCH", path, data if data is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def token_for(user, workspace, name="test"):
    with workspace_scope(workspace):
        m = Membership.objects.get(user=user)
    _, secret = accounts.issue_token(user, m, name=name)
    return secret


@pytest.fixture
def api_client():
    """api_client(user, workspace) -> an ApiClient authenticated as that member; api_client() anonymous."""

    def make(user=None, workspace=None):
        return ApiClient(token_for(user, workspace) if user is not None else None)

    return make


def free_port() -> int:
    """A loopback port nobody listens on right now (for servers a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's real S3 server on a loopback port with one empty bucket: yields (endpoint_url, bucket)."""
    import os

    import boto3
    from moto.server import ThreadedMotoServer

    # Test values only; boto3 (and so django-storages) reads them from the environment like in production.
    test_env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {k: os.environ.get(k) for k in test_env}
    os.environ.update(test_env)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint, bucket = f"http://127.0.0.1:{port}", "oorg-test-files"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    try:
        yield endpoint, bucket
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def s3_storage(settings, s3_server):
    """The default storage is S3 on moto's server for this test. Yields (endpoint_url, bucket)."""
    from oorg.settings import _storages

    endpoint, bucket = s3_server
    # Assigning a new dict (not mutating) fires setting_changed, whose handler drops Django's cached backends.
    s3 = _storages(f"s3://{bucket}?endpoint_url={endpoint}&region=us-east-1")["default"]
    settings.STORAGES = {**settings.STORAGES, "default": s3}
    yield endpoint, bucket


@pytest.fixture
def company(workspace, owner, hr, manager, member):
    """A small company: two branches, a department tree and six people, some linked to member accounts.

        E001 Olivia Owner (owner)           Engineering
          E002 Mia Manager (manager)        Engineering
            E003 Remy Report (member)       Engineering / Backend   personal fields filled in
              E004 Ines Indirect            Engineering / Backend
          E005 Sam Sales                    Sales
        E006 Hana HR (hr)                   (no manager)
    """
    system = Actor.system(workspace)
    with workspace_scope(workspace):
        links = {u.email: Membership.objects.get(user=u) for u in (owner, hr, manager, member)}
        berlin = org_services.create_branch(system, name="Berlin", country="DE", time_zone="Europe/Berlin",
                                            address="Torstraße 1, 10119 Berlin")
        remote = org_services.create_branch(system, name="Remote", time_zone="UTC")
        engineering = org_services.create_department(system, name="Engineering")
        backend = org_services.create_department(system, name="Backend", parent=engineering.pk)
        sales = org_services.create_department(system, name="Sales")

        def hire(code, name, **fields):
            return org_services.create_employee(system, code=code, full_name=name, **fields)

        ceo = hire("E001", "Olivia Owner", department=engineering, branch=berlin, member=links[owner.email].pk,
                   work_email="olivia@acme.test", job_title="CEO")
        boss = hire("E002", "Mia Manager", department=engineering, branch=berlin, manager=ceo,
                    member=links[manager.email].pk, work_email="mia@acme.test", job_title="Engineering lead")
        report = hire("E003", "Remy Report", department=backend, branch=berlin, manager=boss,
                      member=links[member.email].pk, work_email="remy@acme.test", phone="030 1234567",
                      job_title="Backend developer", birth_date=dt.date(1990, 5, 17),
                      home_address="Hausweg 5, Berlin", emergency_contact_name="Rita Report",
                      emergency_contact_phone="+49 30 7654321", start_date=dt.date(2024, 1, 2))
        indirect = hire("E004", "Ines Indirect", department=backend, branch=remote, manager=report,
                        job_title="Junior developer")
        sales_rep = hire("E005", "Sam Sales", department=sales, branch=remote, manager=ceo, job_title="Account exec")
        hr_person = hire("E006", "Hana HR", branch=berlin, member=links[hr.email].pk, job_title="People partner")
    return {"berlin": berlin, "remote": remote, "engineering": engineering, "backend": backend, "sales": sales,
            "ceo": ceo, "boss": boss, "report": report, "indirect": indirect, "sales_rep": sales_rep,
            "hr": hr_person}


@pytest.fixture
def clients(workspace, owner, admin, hr, manager, member):
    users = {"owner": owner, "admin": admin, "hr": hr, "manager": manager, "member": member}
    return {role: ApiClient(token_for(user, workspace, name=f"{role}-org")) for role, user in users.items()}


@pytest.fixture
def race(request, tmp_path):
    """race(NAME) -> the JSON of NAME in the `races` module beside the calling test (tests/<area>/races.py): run
    in-process on PostgreSQL (committed rows, threads with their own connections), else in a subprocess on a
    fresh SQLite file database set up as in production (the in-memory test database holds no concurrent writers)."""
    module = f"{request.module.__package__}.races"

    def run(name):
        from django.db import connection

        if connection.vendor == "postgresql":
            request.getfixturevalue("transactional_db")
            return getattr(importlib.import_module(module), name)()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
        env.update(OORG_DATA_DIR=str(tmp_path), OORG_TASKS_EAGER="1", OORG_BASE_URL="http://testserver",
                   DJANGO_SETTINGS_MODULE="oorg.settings")
        done = subprocess.run([sys.executable, "-m", module, name], env=env, cwd=Path(__file__).resolve().parents[1],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])
    return run
