"""Content-hash identifiers: the same content gets the same id, so a second import adds nothing.

Curated claims, imported records, their claims and their URL sources are named by a
hash of what they say. The hash inputs are part of the data: changing what goes into
one would give every stored node a new id, and re-importing would duplicate it.
"""

from __future__ import annotations

import hashlib

__all__ = ["claim_id", "content_hash"]


def content_hash(*parts: str) -> str:
    """The first 16 hex digits of the SHA-256 of ``parts`` joined by U+001F (the unit separator)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def claim_id(*parts: str) -> str:
    """``claim-<hash of parts>``: the local name of a claim node (``id:claim-…``)."""
    return f"claim-{content_hash(*parts)}"
