"""robots.txt as RFC 9309 reads it; Protego does the parsing and matching.

What the fetch of ``/robots.txt`` returned decides the rules (RFC 9309 §2.3.1): a 2xx body is
parsed; a 4xx means there are no rules; a 5xx or an unreachable server means "disallow
everything" until it can be fetched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from protego import Protego

MAX_BYTES = 500 * 1024  # §2.5: parse at least the first 500 KiB
TTL_S = 24 * 3600.0  # §2.4: do not use a cached robots.txt for more than 24 hours


@dataclass(frozen=True)
class RobotsRules:
    """One origin's robots.txt."""

    kind: str  # "rules" (parse ``text``), "allow_all" (4xx) or "unreachable" (disallow all)
    fetched_at: float  # time.time() of the fetch
    text: str = ""

    @classmethod
    def from_body(cls, body: bytes, fetched_at: float) -> RobotsRules:
        return cls("rules", fetched_at, body.decode("utf-8", errors="replace"))

    @classmethod
    def from_failure(cls, status: int | None, fetched_at: float) -> RobotsRules:
        """Rules after a failed fetch: ``status`` is the final HTTP status, None if none."""
        client_error = status is not None and 400 <= status < 500 and status != 429
        return cls("allow_all" if client_error else "unreachable", fetched_at)

    def expired(self, now: float) -> bool:
        return now - self.fetched_at > TTL_S

    def allows(self, url: str, token: str) -> bool:
        if self.kind != "rules":
            return self.kind == "allow_all"
        return self._parsed.can_fetch(url, token)

    def crawl_delay(self, token: str) -> float | None:
        return self._parsed.crawl_delay(token) if self.kind == "rules" else None

    @cached_property
    def _parsed(self) -> Protego:
        return Protego.parse(self.text)
