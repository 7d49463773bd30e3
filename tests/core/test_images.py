"""Uploaded photos come out as small JPEGs with no metadata, whatever went in."""
import io

import pytest
from PIL import Image

from oorg.core.errors import ValidationFailed
from oorg.core.images import normalise_photo

GPS_IFD = 0x8825


def _image(fmt, size=(64, 48), **save):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def _jpeg_with_gps(size=(64, 48), orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    if orientation:
        exif[0x0112] = orientation
    data = _image("JPEG", size, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the input really carries a location
    return data


def test_jpeg_with_gps_comes_out_without_any_exif():
    out, content_type = normalise_photo(_jpeg_with_gps())
    assert content_type == "image/jpeg"
    result = Image.open(io.BytesIO(out))
    assert result.format == "JPEG" and result.size == (64, 48)
    assert len(result.getexif()) == 0 and "exif" not in result.info
    assert b"Exif" not in out and b"SpyCam" not in out


def test_exif_orientation_is_applied():
    out, _ = normalise_photo(_jpeg_with_gps(size=(64, 48), orientation=6))  # 6: rotate 90° to display
    assert Image.open(io.BytesIO(out)).size == (48, 64)


def test_png_becomes_rgb_jpeg():
    out, _ = normalise_photo(_image("PNG"))
    result = Image.open(io.BytesIO(out))
    assert (result.format, result.mode) == ("JPEG", "RGB")


def test_big_image_is_shrunk_keeping_aspect():
    out, _ = normalise_photo(_image("PNG", size=(2000, 1000)))
    assert Image.open(io.BytesIO(out)).size == (512, 256)


@pytest.mark.parametrize("data", [b"just some text, not a photo", b"", _image("BMP")])
def test_non_images_are_refused(data):
    with pytest.raises(ValidationFailed) as e:
        normalise_photo(data)
    assert e.value.field == "photo"


def test_truncated_image_is_refused():
    with pytest.raises(ValidationFailed) as e:
        normalise_photo(_image("PNG", size=(300, 300))[:200])
    assert e.value.field == "photo"


def test_oversize_upload_is_refused():
    with pytest.raises(ValidationFailed) as e:
        normalise_photo(b"\xff" * (5 * 1024 * 1024 + 1))
    assert e.value.field == "photo" and "5 MB" in e.value.message


@pytest.mark.parametrize("size", [(7000, 7000), (10000, 10000)])  # over our 40 MP; over Pillow's own limit
def test_decompression_bomb_is_refused(size):
    # A small PNG that claims tens of megapixels: refused from its header, before decoding.
    data = _image("PNG", size=size)
    assert len(data) < 5 * 1024 * 1024
    with pytest.raises(ValidationFailed) as e:
        normalise_photo(data)
    assert e.value.field == "photo" and "pixels" in e.value.message
