"""Leave tests use the attendance fixtures (tests/attendance/conftest.py): `staff` and `other_staff`."""
from ..attendance.conftest import other_staff, staff  # noqa: F401
