"""What a crawl remembers between runs: HTTP validators per URL, robots.txt per origin.

Kept as one small JSON file the caller names (e.g. ``<lake>/_state/fetch.json``). Save it
only after the run's output is stored: a run that crashes before then fetches its pages
again next time instead of losing them to 304s.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

from newsevents.sources.robots import RobotsRules

FORMAT_VERSION = 1


class FetchState:
    """Validators and robots.txt rules, shared (thread-safe) by the fetch workers of a run."""

    def __init__(
        self,
        validators: dict[str, dict[str, str]] | None = None,
        robots: dict[str, RobotsRules] | None = None,
    ) -> None:
        self._validators = dict(validators or {})  # url -> {"etag": ..., "last_modified": ...}
        self._robots = dict(robots or {})  # "scheme://host:port" -> rules
        self._lock = threading.Lock()

    # -- conditional GET -----------------------------------------------------------------

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for ``url`` from its last 200 response."""
        with self._lock:
            known = self._validators.get(url, {})
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._lock:
            if etag or last_modified:
                self._validators[url] = {k: v for k, v in
                                         (("etag", etag), ("last_modified", last_modified)) if v}
            else:
                self._validators.pop(url, None)

    # -- robots.txt ----------------------------------------------------------------------

    def robots(self, origin: str) -> RobotsRules | None:
        """Cached rules for ``origin`` if fetched less than 24 hours ago."""
        with self._lock:
            rules = self._robots.get(origin)
        return None if rules is None or rules.expired(time.time()) else rules

    def remember_robots(self, origin: str, rules: RobotsRules) -> None:
        with self._lock:
            self._robots[origin] = rules

    # -- persistence ---------------------------------------------------------------------

    def to_json(self) -> str:
        """The state as JSON; "unreachable" robots.txt verdicts are not kept, so the next run
        asks again rather than staying locked out of a site for a day."""
        now = time.time()
        with self._lock:
            robots = {origin: asdict(rules) for origin, rules in sorted(self._robots.items())
                      if rules.kind != "unreachable" and not rules.expired(now)}
            validators = dict(sorted(self._validators.items()))
        return json.dumps({"version": FORMAT_VERSION, "validators": validators, "robots": robots},
                          indent=1)

    @classmethod
    def from_json(cls, text: str) -> FetchState:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"fetch state format {data.get('version')!r} is not {FORMAT_VERSION}")
        robots = {origin: RobotsRules(**fields) for origin, fields in data["robots"].items()}
        return cls(data["validators"], robots)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FetchState:
        """The state saved at ``path``; an empty state if there is no file yet."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        return cls.from_json(text)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically (temporary file + rename): readers see the old or the new file."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(self.to_json())
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
