"""Every secret check goes through one throttled door, counts atomically, and tells nothing about accounts.

The registry (oorg.accounts.guard) lists each function that compares a secret; the AST test below fails when
a secret is compared anywhere else, and the parametrized test drives each registered check through its real
entry point with wrong secrets until 429, then shows the right secret is refused as well.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oorg.accounts import guard
from oorg.accounts.codes import issue_code
from oorg.accounts.models import ApiToken, EmailCode, User
from oorg.core.models import AuditEvent, Workspace
from oorg.core.tenancy import workspace_scope

from ..conftest import PASSWORD, ApiClient, actor_for, make_user, make_workspace
from ..web.pages import signed_in_client, text

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "oorg"
WRONG_PASSWORD = "Not-the-password-1"


# --- the registry matches the code --------------------------------------------------------------------


def _functions(tree):
    """(qualified name, node) of every function, with its enclosing classes and functions."""
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child
                yield from walk(child, name + ".")
            else:
                yield from walk(child, prefix)
    yield from walk(tree, "")


def _secret_primitives(func) -> list[str]:
    """What in this function compares a secret: a password hash, a TOTP, a constant-time compare or a keyed hash."""
    found = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            # user.check_password(raw) and hashers.check_password(raw, encoded) take the password positionally;
            # the door, services.check_password(email=..., password=...), takes keywords only.
            if name == "check_password" and node.args:
                found.append(f"check_password:{node.lineno}")
            if name in ("constant_time_equal", "compare_digest", "hash_code", "authenticate", "check_password_hash"):
                found.append(f"{name}:{node.lineno}")
        if isinstance(node, ast.Name) and node.id == "pyotp":
            found.append(f"pyotp:{node.lineno}")
    return found


def _source_functions():
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = "oorg." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        tree = ast.parse(path.read_text())
        for qualname, node in _functions(tree):
            yield f"{module}.{qualname}", node


def test_secrets_are_compared_only_inside_registered_throttled_checks():
    allowed = set(guard.SECRET_CHECKS) | set(guard.UNDER_THE_DOOR) | set(guard.EXEMPT) | set(guard.PRODUCERS)
    offenders = [
        f"{name} ({', '.join(found)})"
        for name, node in _source_functions()
        if (found := _secret_primitives(node)) and name not in allowed
    ]
    assert not offenders, f"secret compared outside oorg.accounts.guard's registry: {offenders}"


def test_each_registered_check_goes_through_the_door_and_helpers_only_under_it():
    functions = dict(_source_functions())
    for name in guard.SECRET_CHECKS:
        assert name in functions, f"{name} is registered but does not exist"
        calls = {getattr(n.func, "attr", getattr(n.func, "id", None)) for n in ast.walk(functions[name])
                 if isinstance(n, ast.Call)}
        assert "reserve" in calls, f"{name} never opens the throttled door (guard.reserve)"
    helper_names = {name.rsplit(".", 1)[1] for name in guard.UNDER_THE_DOOR}
    for name, node in functions.items():
        called = {getattr(n.func, "attr", getattr(n.func, "id", None)) for n in ast.walk(node) if isinstance(n, ast.Call)}
        stray = called & helper_names
        assert not stray or name in guard.SECRET_CHECKS, f"{name} calls {stray} outside a registered check"


def test_every_registered_check_is_the_function_the_code_runs():
    for name in guard.SECRET_CHECKS:
        module, _, attr = name.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr))


def test_the_primitive_finder_sees_a_stray_compare():
    tree = ast.parse("def f(u, p):\n    return u.check_password(p) or constant_time_equal(a, b)\n")
    [(_name, node)] = list(_functions(tree))
    assert _secret_primitives(node) == ["check_password:2", "constant_time_equal:2"]


# --- each registered check: wrong secrets until 429, then the right one is refused too -------------------


def _enable_2fa(client):
    secret = client.post("/auth/two-factor/setup").json()["secret"]
    assert client.post("/auth/two-factor/enable", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    return secret


def _fresh_totp(user, secret):
    User.objects.filter(pk=user.pk).update(totp_last_step=0)  # the test's code is not a replay
    return pyotp.TOTP(secret).now()


def case_sign_in_password(db, outbox):
    make_workspace("Acme", "ada@example.test")
    def attempt(password):
        return ApiClient().post("/auth/token", {"email": "ada@example.test", "password": password})
    return (lambda: attempt(WRONG_PASSWORD)), (lambda: attempt(PASSWORD)), 5


def case_second_factor(db, outbox):
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from ..conftest import token_for

    secret = _enable_2fa(ApiClient(token_for(owner, workspace)))
    def attempt(otp):
        return ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD, "otp": otp})
    return (lambda: attempt("000000")), (lambda: attempt(_fresh_totp(owner, secret))), 5


def case_two_factor_off_password(db, outbox):
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from ..conftest import token_for

    _enable_2fa(ApiClient(token_for(owner, workspace)))
    client = ApiClient(token_for(owner, workspace, name="after-2fa"))
    return (lambda: client.post("/auth/two-factor/disable", {"password": WRONG_PASSWORD})), \
        (lambda: client.post("/auth/two-factor/disable", {"password": PASSWORD})), 5


def case_two_factor_setup_code(db, outbox):
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from ..conftest import token_for

    client = ApiClient(token_for(owner, workspace))
    secret = client.post("/auth/two-factor/setup").json()["secret"]
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    return (lambda: client.post("/auth/two-factor/enable", {"code": wrong})), \
        (lambda: client.post("/auth/two-factor/enable", {"code": pyotp.TOTP(secret).now()})), 5


def _fresh_code(email, purpose):
    user = User.objects.get(email=email)
    return issue_code(user, purpose)  # as a resend would, so a burned code is not why the right one fails


def case_email_verification_code(db, outbox):
    ApiClient().post("/auth/signup", {"email": "ada@example.test", "password": PASSWORD, "full_name": "Ada",
                                      "workspace_name": "Ada Co"})
    def attempt(code):
        return ApiClient().post("/auth/verify-email", {"email": "ada@example.test", "code": code})
    return (lambda: attempt("1234567")), \
        (lambda: attempt(_fresh_code("ada@example.test", EmailCode.Purpose.VERIFY_EMAIL))), 5


def case_password_reset_code(db, outbox):
    make_workspace("Acme", "ada@example.test")
    def attempt(code):
        return ApiClient().post("/auth/password-reset/confirm", {"email": "ada@example.test", "code": code,
                                                                 "new_password": "Another-Sturdy-Phrase-7"})
    return (lambda: attempt("1234567")), \
        (lambda: attempt(_fresh_code("ada@example.test", EmailCode.Purpose.PASSWORD_RESET))), 5


def case_invitation_code(db, outbox):
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from oorg.workspaces.services import invite_member

    with workspace_scope(workspace):
        code = invite_member(actor_for(owner, workspace), email="new@example.test", role="member").plain_code
    def attempt(c):
        return Client().post("/invitations/accept", {"code": c, "full_name": "Nina New", "password": PASSWORD})
    return (lambda: attempt("not-a-real-invitation-code")), (lambda: attempt(code)), 20


def case_invitation_page_lookup(db, outbox):
    """The invitation page names the workspace, inviter and role of a code: guessing codes there is throttled too."""
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from oorg.workspaces.services import invite_member

    with workspace_scope(workspace):
        code = invite_member(actor_for(owner, workspace), email="new@example.test", role="member").plain_code
    def look(c):
        return Client().get("/invitations/accept", {"code": c})
    return (lambda: look("not-a-real-invitation-code")), (lambda: look(code)), 20


def case_invitation_password_of_an_existing_account(db, outbox):
    workspace, owner = make_workspace("Acme", "ada@example.test")
    make_user("bob@example.test")
    from oorg.workspaces.services import invite_member

    def attempt(password):
        with workspace_scope(workspace):
            code = invite_member(actor_for(owner, workspace), email="bob@example.test", role="member").plain_code
        return Client().post("/invitations/accept", {"code": code, "full_name": "Bob", "password": password})
    return (lambda: attempt(WRONG_PASSWORD)), (lambda: attempt(PASSWORD)), 5


def _owner_client():
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from ..conftest import token_for

    return owner, ApiClient(token_for(owner, workspace))


def case_change_password(db, outbox):
    _owner, client = _owner_client()
    def attempt(current):
        return client.post("/auth/password", {"current_password": current, "new_password": "Another-Sturdy-Phrase-7"})
    return (lambda: attempt(WRONG_PASSWORD)), (lambda: attempt(PASSWORD)), 5


def case_email_change_password(db, outbox):
    _owner, client = _owner_client()
    def attempt(password):
        return client.post("/auth/email", {"new_email": "ada@new.test", "password": password})
    return (lambda: attempt(WRONG_PASSWORD)), (lambda: attempt(PASSWORD)), 5


def case_email_change_code(db, outbox):
    owner, client = _owner_client()
    assert client.post("/auth/email", {"new_email": "ada@new.test", "password": PASSWORD}).status_code == 202
    def right():
        code = issue_code(owner, EmailCode.Purpose.CHANGE_EMAIL, new_email="ada@new.test")  # as a new request would
        return client.post("/auth/email/confirm", {"code": code})
    return (lambda: client.post("/auth/email/confirm", {"code": "1234567"})), right, 5


def _two_factor_client():
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from ..conftest import token_for

    secret = _enable_2fa(ApiClient(token_for(owner, workspace)))
    return owner, secret, ApiClient(token_for(owner, workspace, name="after-2fa"))


def case_recovery_codes_password(db, outbox):
    _owner, _secret, client = _two_factor_client()
    def attempt(password):
        return client.post("/auth/two-factor/recovery-codes", {"password": password})
    return (lambda: attempt(WRONG_PASSWORD)), (lambda: attempt(PASSWORD)), 5


def case_recovery_codes_app_code(db, outbox):
    owner, secret, client = _two_factor_client()
    def attempt(code):
        return client.post("/auth/two-factor/recovery-codes", {"code": code})
    return (lambda: attempt("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")), \
        (lambda: attempt(_fresh_totp(owner, secret))), 5


def case_kiosk_pin(db, outbox):
    """A kiosk PIN (attendance/services/kiosks.py): per kiosk and employee code; the page answers 429 too."""
    workspace, owner = make_workspace("Acme", "ada@example.test")
    from oorg.attendance.services import kiosks, policy
    from oorg.core.models import Membership
    from oorg.org import services as org_services

    actor = actor_for(owner, workspace)
    with workspace_scope(workspace):
        policy.update_policy(actor, kiosk_enabled=True)
        employee = org_services.create_employee(actor, code="K1", full_name="Kim Kiosk",
                                                member=Membership.objects.get(user=owner).pk)
        kiosks.set_pin(actor, employee, pin="4812")
        _kiosk, url = kiosks.create_kiosk(actor, name="Front desk")
    path = "/" + url.split("/", 3)[3]
    def attempt(pin):
        return Client().post(path, {"code": "K1", "pin": pin, "action": "in"})
    return (lambda: attempt("9999")), (lambda: attempt("4812")), 5


CASES = {
    "oorg.attendance.services.kiosks.check_pin": [case_kiosk_pin],
    "oorg.accounts.services.check_password": [case_sign_in_password, case_invitation_password_of_an_existing_account],
    "oorg.accounts.services.check_second_factor": [case_second_factor],
    "oorg.accounts.services.disable_two_factor": [case_two_factor_off_password],
    "oorg.accounts.services.enable_two_factor": [case_two_factor_setup_code],
    "oorg.accounts.services.verify_email": [case_email_verification_code],
    "oorg.accounts.services.confirm_password_reset": [case_password_reset_code],
    "oorg.accounts.services.change_password": [case_change_password],
    "oorg.accounts.services.request_email_change": [case_email_change_password],
    "oorg.accounts.services.confirm_email_change": [case_email_change_code],
    "oorg.accounts.services.regenerate_recovery_codes": [case_recovery_codes_password, case_recovery_codes_app_code],
    "oorg.workspaces.services.accept_invitation": [case_invitation_code],
    "oorg.workspaces.services.describe_invitation": [case_invitation_page_lookup],
}


def test_every_registered_check_has_a_throttle_case():
    assert set(CASES) == set(guard.SECRET_CHECKS)


@pytest.mark.parametrize("case", [c for cases in CASES.values() for c in cases], ids=lambda c: c.__name__[5:])
def test_wrong_secrets_are_throttled_and_then_the_right_one_is_refused_too(db, outbox, case):
    wrong, right, limit = case(db, outbox)

    answers = [wrong().status_code for _ in range(limit + 3)]

    assert 429 not in answers[:limit], answers
    assert answers[limit:] == [429, 429, 429], answers
    refused = right()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_turning_two_factor_off_on_the_page_is_throttled_with_sign_in_failures(workspace):
    owner = workspace.owner
    client = signed_in_client(owner)
    ApiClient().post("/auth/token", {"email": owner.email, "password": WRONG_PASSWORD})  # one sign-in failure
    from oorg.accounts import services

    secret, _ = services.begin_two_factor_setup(owner)
    services.enable_two_factor(owner, code=pyotp.TOTP(secret).now())

    answers = [client.post("/account/two-factor/disable", {"password": WRONG_PASSWORD}).status_code for _ in range(5)]
    response = client.post("/account/two-factor/disable", {"password": PASSWORD})

    assert answers == [422, 422, 422, 422, 429]
    assert response.status_code == 429 and "Too many failed" in text(response)
    assert User.objects.get(pk=owner.pk).two_factor_enabled
    assert ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD}).status_code == 429


# --- the count is atomic ---------------------------------------------------------------------------------


def test_forty_parallel_wrong_passwords_get_exactly_five_evaluated(race):
    """Each guess queues on the account's lock row: count-and-decide is one step, so no sixth guess slips in."""
    result = race("forty_wrong_passwords")

    assert result["errors"] == []
    assert result["answers"] == [401] * 5 + [429] * 35
    assert result["failures"] == 5 and result["audited"] == 5


def test_parallel_resends_send_exactly_one_code(race):
    """core.ratelimit.hit: one per minute per address, also when ten requests race."""
    result = race("ten_resends")

    assert result["errors"] == []
    assert result["answers"] == [202] + [429] * 9
    assert result["events"] == 1


# --- no enumeration ----------------------------------------------------------------------------------------


def _shape(queries):
    """The statements with their values left out (savepoint names, keys, times differ per call)."""
    return [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", q["sql"]) for q in queries]


def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(workspace, outbox):
    with CaptureQueriesContext(connection) as known:
        known_answer = ApiClient().post("/auth/password-reset", {"email": "owner@acme.test"})
    with CaptureQueriesContext(connection) as unknown:
        unknown_answer = ApiClient().post("/auth/password-reset", {"email": "nobody@acme.test"})

    assert known_answer.status_code == unknown_answer.status_code == 202
    assert known_answer.json() == unknown_answer.json()
    assert _shape(known.captured_queries) == _shape(unknown.captured_queries)
    assert not any('"accounts_user"' in q["sql"] for q in known.captured_queries)
    # the queued job then sends the code to the known address only
    assert len(outbox.to("owner@acme.test")) == 1 and outbox.to("nobody@acme.test") == []
    assert "reset code is" in outbox.to("owner@acme.test")[0].get_payload(decode=True).decode()


def test_resending_a_verification_code_does_the_same_work_for_any_address(db, outbox):
    make_user("late@example.test", verified=False)
    make_user("done@example.test")
    shapes = []
    for email in ("late@example.test", "done@example.test", "nobody@example.test"):
        with CaptureQueriesContext(connection) as queries:
            assert ApiClient().post("/auth/verify-email/resend", {"email": email}).status_code == 202
        shapes.append(_shape(queries.captured_queries))
    assert shapes[0] == shapes[1] == shapes[2]
    assert len(outbox.to("late@example.test")) == 1
    assert outbox.to("done@example.test") == [] and outbox.to("nobody@example.test") == []


def test_signup_is_throttled_per_ip_whether_the_email_is_taken_or_not(db, outbox):
    make_workspace("Acme", "taken@example.test")
    body = {"password": PASSWORD, "full_name": "Eve", "workspace_name": "Probe"}
    answers = [ApiClient().post("/auth/signup", {**body, "email": "taken@example.test"}).status_code
               for _ in range(guard.SIGNUP_LIMITS[0][0])]
    new = ApiClient().post("/auth/signup", {**body, "email": "fresh@example.test"})
    elsewhere = ApiClient().post("/auth/signup", {**body, "email": "fresh@example.test"}, REMOTE_ADDR="10.1.2.3")

    assert set(answers) == {409}
    assert new.status_code == 429 and int(new["Retry-After"]) > 0
    assert elsewhere.status_code == 201
    assert Workspace.objects.count() == 2


# --- tokens from before two-factor -----------------------------------------------------------------------


def test_turning_two_factor_on_revokes_older_api_tokens_and_says_so(workspace, owner):
    from ..conftest import token_for

    old = ApiClient(token_for(owner, workspace, name="laptop"))
    spare = ApiClient(token_for(owner, workspace, name="ci"))
    secret = old.post("/auth/two-factor/setup").json()["secret"]

    response = old.post("/auth/two-factor/enable", {"code": pyotp.TOTP(secret).now()})

    assert response.status_code == 200
    assert response.json()["revoked_tokens"] == 2 and "signed out" in response.json()["detail"]
    assert old.get("/me").status_code == 401 and spare.get("/me").status_code == 401
    new = ApiClient().post("/auth/token", {"email": owner.email, "password": PASSWORD,
                                           "otp": _fresh_totp(owner, secret)})
    assert new.status_code == 201 and ApiClient(new.json()["token"]).get("/me").status_code == 200
    assert AuditEvent.objects.filter(action="auth.api_tokens_revoked", workspace=workspace).count() == 1
    with workspace_scope(workspace):
        assert ApiToken.objects.filter(user=owner, revoked_at__isnull=True).count() == 1


def test_turning_two_factor_on_on_the_page_tells_about_revoked_tokens(workspace, owner):
    from ..conftest import token_for

    token = token_for(owner, workspace, name="laptop")
    client = signed_in_client(owner)
    secret = client.post("/account/two-factor", {"action": "begin"}, follow=True).context["secret"]

    response = client.post("/account/two-factor", {"action": "enable", "code": pyotp.TOTP(secret).now()}, follow=True)

    assert response.status_code == 200 and "1 API token was revoked" in text(response)
    assert ApiClient(token).get("/me").status_code == 401
