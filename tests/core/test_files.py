"""Private files through the storage API: on disk by default and on a real (moto) S3 server."""
import boto3
import pytest
from django.core.files.storage import FileSystemStorage

from oorg.core import files
from oorg.settings import _storages


def _round_trip():
    name = files.save_private("photos/ws1", b"first", suffix=".jpg")
    assert name.startswith("photos/ws1/") and name.endswith(".jpg")
    assert files.read(name) == b"first"
    files.delete(name)
    assert not files.storage().exists(name)
    files.delete(name)  # already gone: not an error
    return name


def test_disk_round_trip(settings):
    assert isinstance(files.storage(), FileSystemStorage)
    name = _round_trip()
    assert not (settings.MEDIA_ROOT / name).exists()


def test_disk_writes_under_media_root(settings):
    name = files.save_private("photos", b"on disk", suffix=".bin")
    assert (settings.MEDIA_ROOT / name).read_bytes() == b"on disk"


def test_s3_round_trip_lands_in_the_bucket(s3_storage):
    endpoint, bucket = s3_storage
    s3 = boto3.client("s3", endpoint_url=endpoint)
    name = files.save_private("photos/ws2", b"\x00binary\xff", suffix=".jpg")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="photos/ws2/").get("Contents", [])]
    assert keys == [name]
    assert s3.get_object(Bucket=bucket, Key=name)["Body"].read() == b"\x00binary\xff"
    assert files.read(name) == b"\x00binary\xff"
    files.delete(name)
    assert s3.list_objects_v2(Bucket=bucket, Prefix="photos/ws2/").get("KeyCount") == 0
    files.delete(name)


@pytest.mark.parametrize("backend", ["disk", "s3"])
def test_two_saves_never_overwrite(backend, request):
    if backend == "s3":
        request.getfixturevalue("s3_storage")
    a = files.save_private("photos/same", b"a", suffix=".jpg")
    b = files.save_private("photos/same", b"b", suffix=".jpg")
    assert a != b
    assert (files.read(a), files.read(b)) == (b"a", b"b")


def test_storage_url_unset_means_disk():
    assert _storages(None)["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert _storages("")["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_storage_url_s3():
    default = _storages("s3://oorg-files?endpoint_url=http://10.0.0.5:9000&region=eu-central-1")["default"]
    assert default == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "oorg-files", "endpoint_url": "http://10.0.0.5:9000", "region_name": "eu-central-1",
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
    }}


def test_storage_url_other_scheme_is_refused():
    with pytest.raises(ValueError):
        _storages("ftp://files.example")


def test_unconfirmed_import_uploads_are_purged_after_a_day(settings):
    import os
    import time

    from oorg.core.tasks import purge_stale_uploads

    old = files.save_private("workspaces/1/imports", b"employee_code\n", suffix=".csv")
    fresh = files.save_private("workspaces/2/imports", b"employee_code\n", suffix=".csv")
    photo = files.save_private("workspaces/1/employee-photos", b"jpeg", suffix=".jpg")
    two_days_ago = time.time() - 2 * 86400
    for name in (old, photo):
        os.utime(files.storage().path(name), (two_days_ago, two_days_ago))

    assert purge_stale_uploads.delay().get() == 1

    assert not files.storage().exists(old)
    assert files.storage().exists(fresh) and files.storage().exists(photo)  # photos are not uploads
