"""QR codes for the two-factor setup page, drawn on the server as inline SVG.

segno's SVG uses presentation attributes (fill, stroke) and no style attribute or script, so it renders under the
strict Content-Security-Policy (style-src 'self'); no image request, no data: URI, no client-side library.
"""
from __future__ import annotations

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str) -> SafeString:
    """`data` as a QR code: inline <svg> markup, black on white with the standard quiet zone, named `label`."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=5, dark="#000", light="#fff", svgclass="qr-code", lineclass=None)
    # segno draws the markup itself from the modules' bits; the only text that goes in is our label, escaped.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
