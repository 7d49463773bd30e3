"""Uploaded photos, made safe to keep: checked, shrunk and re-encoded without metadata (no GPS, no camera data)."""
from __future__ import annotations

import io
import warnings
from collections.abc import Callable

from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from oorg.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decompression-bomb guard: a tiny file may claim a huge canvas
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
SIZE = (512, 512)


def normalise_photo(data: bytes, *, background: tuple[int, int, int] | None = None) -> tuple[bytes, str]:
    """Return (JPEG bytes, "image/jpeg"): upright, RGB, within 512×512, quality 85, no EXIF or other metadata.

    `background`: the colour transparent pixels become (a logo's white); without it they keep whatever colour
    the file stores under them, often black."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed("The photo is larger than 5 MB.", field="photo")
    not_an_image = ValidationFailed("The photo must be a JPEG, PNG, WebP or GIF image.", field="photo")
    too_big = ValidationFailed("The photo has too many pixels.", field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)  # reads the header only
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_big from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise not_an_image from None
    if image.width * image.height > MAX_PIXELS:  # checked before decoding a single pixel
        raise too_big
    try:
        image = ImageOps.exif_transpose(image)
        if background is not None and (image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info):
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, background)
            image.paste(rgba, mask=rgba.getchannel("A"))
        image = image.convert("RGB")
    except (OSError, ValueError, SyntaxError, EOFError):  # truncated or corrupt pixel data
        raise not_an_image from None
    image.thumbnail(SIZE, Image.Resampling.LANCZOS)
    # A fresh image carries pixels only, so nothing from the upload's info/EXIF can ride along into the output.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"


def replace_stored_photo(data: bytes | None, *, folder: str, old: str, write: Callable[[str], None],
                         background: tuple[int, int, int] | None = None) -> str:
    """Swap a stored photo (an employee's, a user's, a workspace's logo) for a cleaned copy of `data`, or for none
    when `data` is None. `write(name)` stores the new name on its row (and audits) inside one transaction; if it
    fails, the new file is deleted again; once it commits, the old file goes. Returns the new name ("" for none)."""
    from . import files

    new = ""
    if data is not None:
        cleaned, _content_type = normalise_photo(data, background=background)
        new = files.save_private(folder, cleaned, suffix=".jpg")
    try:
        with transaction.atomic():
            write(new)
    except Exception:
        if new:
            files.delete(new)
        raise
    if old:
        transaction.on_commit(lambda: files.delete(old))
    return new
