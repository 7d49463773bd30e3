"""Rich text from people (notes) made safe to show: an allow-list sanitiser (nh3, the Ammonia library).

Only formatting survives: paragraphs, emphasis, lists, quotes, code and links. No script, style, event
handler, iframe or image; links keep http(s) and mailto only and open with rel="noopener noreferrer nofollow".
"""
from __future__ import annotations

from html import unescape

import nh3

from oorg.core.errors import ValidationFailed

TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3",
        "h4"}
ATTRIBUTES = {"a": {"href", "title"}}
MAX_NOTE = 50_000  # characters of HTML


def clean_html(value, field: str = "body") -> str:
    html = str(value or "")
    if len(html) > MAX_NOTE:
        raise ValidationFailed(f"A note has at most {MAX_NOTE:,} characters.", field=field)
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer nofollow", strip_comments=True).strip()
    if not nh3.clean(cleaned, tags=set()).strip():
        raise ValidationFailed("A note needs some text.", field=field, code="required")
    return cleaned


def plain_text(html: str, limit: int = 200) -> str:
    text = " ".join(unescape(nh3.clean(html, tags=set())).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
