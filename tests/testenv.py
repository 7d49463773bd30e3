"""Loaded with `-p tests.testenv` before Django's settings, so tests never touch ./var or a real database.

OORG_TEST_DATABASE_URL (e.g. postgres://...) runs the suite on that server; unset, on SQLite.
"""
import os
import tempfile

_data_dir = tempfile.mkdtemp(prefix="oorg-test-")
os.environ["OORG_DATA_DIR"] = _data_dir
os.environ["OORG_TASKS_EAGER"] = "1"
os.environ.pop("OORG_SMTP_URL", None)
os.environ.pop("OORG_REDIS_URL", None)
os.environ.pop("OORG_STORAGE_URL", None)
os.environ["OORG_BASE_URL"] = "http://testserver"
if os.environ.get("OORG_TEST_DATABASE_URL"):
    os.environ["OORG_DATABASE_URL"] = os.environ["OORG_TEST_DATABASE_URL"]
else:
    os.environ["OORG_DATABASE_URL"] = f"sqlite:///{_data_dir}/test.sqlite3"
