"""The one rule for web addresses in the catalogues (``link``, ``sources``) and in links of the report."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_ALLOWED = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def valid_url(value) -> bool:
    """True for an absolute http(s) URL made only of characters allowed in a URL (non-ASCII must be %-encoded)."""
    if not isinstance(value, str) or not value or _ALLOWED.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and bool(re.fullmatch(r"[A-Za-z0-9.-]+", parts.hostname))
    )
