from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

# Every integer the API takes is bounded, so a number no database column holds (a 64-bit signed integer)
# is a 422 at the door rather than an overflow in a query. tests/core/test_api_strictness.py walks the
# OpenAPI document and fails on any integer parameter or body field without these bounds.
MAX_INT64 = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_INT64)]  # a row id, in a path, a query string or a body
Offset = Annotated[int, Field(ge=0, le=MAX_INT64)]
Limit = Annotated[int, Field(ge=1, le=200)]  # pagination.MAX_LIMIT


class StrictSchema(Schema):
    """The base of every request body: an unknown field is a 422 naming it, never silently dropped
    (a typo such as `time_zon` must not look like a success)."""

    model_config = ConfigDict(extra="forbid")


class ErrorItem(Schema):
    field: str | None = None
    message: str
    code: str | None = None  # why, for a program: "validation_failed", "conflict", a schema error's type


class ErrorOut(Schema):
    """What every 4xx and 5xx answer of the API looks like (`errors` with 422s only)."""

    detail: str
    code: str
    field: str | None = None
    errors: list[ErrorItem] | None = None


def _email(value: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid email address.") from None
    return value


# Django's validator rather than email-validator's: the latter refuses reserved domains (.test, .local)
# that self-hosted and test workspaces use.
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


class WorkspaceOut(Schema):
    id: int
    slug: str
    name: str
    require_two_factor: bool = False
