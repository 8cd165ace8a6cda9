"""The polite HTTP GET behind web discovery and fetching.

``Fetcher.get`` follows one URL to its final response: every hop re-checked by the SSRF guard
and robots.txt, requests to one host spaced by the policy's delay (or the site's Crawl-delay),
429/5xx and dropped connections retried with jittered exponential back-off (Retry-After
honoured), bodies streamed and cut off at ``max_bytes``, all within a per-URL deadline. Each
way a URL can fail raises ``FetchFailed`` with a short reject reason.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from dataclasses import dataclass

import httpx

from newsevents.sources.netguard import GuardedTransport, URLRefused, validate_url
from newsevents.sources.policy import FetchPolicy
from newsevents.sources.robots import MAX_BYTES as ROBOTS_MAX_BYTES
from newsevents.sources.robots import RobotsRules
from newsevents.sources.state import FetchState

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchFailed(Exception):
    """A URL that could not be fetched; ``reason`` becomes the reject reason."""

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status  # final HTTP status, when there was one


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 2xx or 304 (a redirect status only between hops, inside Fetcher.get)
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """One run's HTTP client. Thread-safe: the fetch workers share it; close it at the end."""

    def __init__(self, policy: FetchPolicy, state: FetchState) -> None:
        self.policy = policy
        self.state = state
        self._client = httpx.Client(
            transport=GuardedTransport(policy, max_connections=policy.max_workers),
            headers={"User-Agent": policy.user_agent},
            follow_redirects=False,  # each hop is vetted in get()
            trust_env=False,  # an environment proxy would resolve hosts past the guard
        )
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._next_start: dict[str, float] = {}  # host -> monotonic time its next request may start
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        """Make waiting workers give up (their URLs fail as "cancelled")."""
        self._stopped.set()

    def close(self) -> None:
        self.stop()
        self._client.close()

    def get(
        self,
        url: str,
        *,
        conditional: bool = False,
        obey_robots: bool = True,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> Response:
        """GET ``url`` following redirects; ``FetchFailed`` unless the end is a 2xx or 304.

        ``conditional`` sends the validators remembered in the state and remembers new ones;
        ``truncate`` keeps the first ``max_bytes`` of a longer body instead of failing.
        """
        limit = self.policy.max_bytes if max_bytes is None else max_bytes
        deadline = time.monotonic() + self.policy.deadline_s
        seen: list[str] = []
        current = url
        for _ in range(self.policy.max_redirects + 1):
            current = _vetted(current, self.policy)
            if current in seen:
                loop = " -> ".join([*seen, current])
                raise FetchFailed("too_many_redirects", f"redirect loop: {loop}")
            seen.append(current)
            if obey_robots and not self._robots(current).allows(current, self.policy.robots_token):
                raise FetchFailed("robots_disallowed", f"robots.txt disallows {current}")
            headers = self.state.conditional_headers(current) if conditional else {}
            response, deadline = self._with_retries(current, headers, deadline, limit, truncate)
            if response.status not in REDIRECT_STATUSES:
                if conditional and response.status != 304:
                    self.state.remember_validators(current, response.headers.get("etag"),
                                                   response.headers.get("last-modified"))
                return response
            location = response.headers.get("location")
            if not location:
                raise FetchFailed(f"http_{response.status}", "redirect without a Location header",
                                  response.status)
            try:
                current = str(httpx.URL(current).join(location))
            except httpx.InvalidURL as exc:
                raise FetchFailed("invalid_url",
                                  f"bad redirect Location {location!r}: {exc}") from None
        raise FetchFailed("too_many_redirects",
                          f"more than {self.policy.max_redirects} redirects: {' -> '.join(seen)}")

    # -- one hop: retries and back-off ---------------------------------------------------

    def _with_retries(
        self, url: str, headers: dict[str, str], deadline: float, limit: int, truncate: bool
    ) -> tuple[Response, float]:
        """The hop's response (2xx, 304 or a redirect); the deadline moves on by pacing waits."""
        policy = self.policy
        attempt = 0
        while True:
            deadline += self._pace(url)
            try:
                response = self._exchange(url, headers, deadline, limit, truncate)
            except httpx.TransportError as exc:  # refused, reset, dropped mid-body (not timeouts)
                reason, status, detail = "network_error", None, f"{type(exc).__name__}: {exc}"
                wait = self._backoff(attempt)
            else:
                status = response.status
                if status < 300 or status == 304 or status in REDIRECT_STATUSES:
                    return response, deadline
                reason = "rate_limited" if status == 429 else f"http_{status}"
                detail = f"HTTP {status} from {url}"
                if status not in RETRY_STATUSES:
                    raise FetchFailed(reason, detail, status)
                retry_after = _retry_after(response.headers)
                if retry_after is not None and retry_after > policy.max_retry_after_s:
                    raise FetchFailed(reason, f"{detail}: Retry-After {retry_after:.0f}s exceeds "
                                      f"the {policy.max_retry_after_s:.0f}s we wait", status)
                wait = self._backoff(attempt) if retry_after is None else retry_after
            if attempt == policy.max_retries:
                raise FetchFailed(reason, f"{detail} (after {attempt + 1} attempts)", status)
            if time.monotonic() + wait > deadline:
                raise FetchFailed(reason, f"{detail}; no time left to retry within the "
                                  f"{policy.deadline_s:.0f}s deadline", status)
            self._sleep(wait)
            attempt += 1

    def _exchange(
        self, url: str, headers: dict[str, str], deadline: float, limit: int, truncate: bool
    ) -> Response:
        """One request; the body is read only for 2xx answers."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed("timeout", f"{url}: deadline of {self.policy.deadline_s:.0f}s passed")
        timeout = min(self.policy.timeout_s, remaining)
        try:
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
                body = b""
                if 200 <= response.status_code < 300:
                    body = _read_capped(response, deadline, limit, truncate)
                return Response(url, response.status_code, response.headers, body)
        except httpx.TimeoutException as exc:
            detail = f"{url}: {type(exc).__name__} after {timeout:.1f}s"
            raise FetchFailed("timeout", detail) from None
        except httpx.DecodingError as exc:
            raise FetchFailed("bad_encoding", f"{url}: {exc}") from None
        except URLRefused as exc:  # the guard, at connect time
            raise FetchFailed(exc.reason, str(exc)) from None

    def _backoff(self, attempt: int) -> float:
        """Exponential back-off with "equal jitter": half fixed, half random."""
        ceiling = min(self.policy.backoff_max_s, self.policy.backoff_base_s * 2**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    # -- politeness ----------------------------------------------------------------------

    def _pace(self, url: str) -> float:
        """Wait for the host's turn; returns the seconds waited."""
        parsed = httpx.URL(url)
        rules = self.state.robots(_origin(parsed))
        crawl_delay = rules.crawl_delay(self.policy.robots_token) if rules else None
        delay = max(self.policy.per_domain_delay_s,
                    min(crawl_delay or 0.0, self.policy.max_crawl_delay_s))
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(parsed.host, now))
            self._next_start[parsed.host] = start + delay
        self._sleep(start - now)
        return start - now

    def _robots(self, url: str) -> RobotsRules:
        """The rules for ``url``'s origin: cached, or fetched by the first worker that asks."""
        origin = _origin(httpx.URL(url))
        with self._lock:
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            rules = self.state.robots(origin)
            if rules is None:
                try:
                    response = self.get(origin + "/robots.txt", obey_robots=False,
                                        max_bytes=ROBOTS_MAX_BYTES, truncate=True)
                    rules = RobotsRules.from_body(response.body, time.time())
                except FetchFailed as exc:
                    rules = RobotsRules.from_failure(exc.status, time.time())
                self.state.remember_robots(origin, rules)
        return rules

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self._stopped.wait(seconds):
            raise FetchFailed("cancelled", "the run was stopped before this URL was fetched")


def _vetted(url: str, policy: FetchPolicy) -> str:
    try:
        return validate_url(url, policy)
    except URLRefused as exc:
        raise FetchFailed(exc.reason, str(exc)) from None


def _origin(url: httpx.URL) -> str:
    port = url.port or (443 if url.scheme == "https" else 80)
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{url.scheme}://{host}:{port}"


def _read_capped(response: httpx.Response, deadline: float, limit: int, truncate: bool) -> bytes:
    """The decoded body, refused (or cut, with ``truncate``) past ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise FetchFailed("too_large", f"Content-Length {declared} exceeds the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise FetchFailed("too_large", f"body exceeds the {limit}-byte limit")
        if time.monotonic() > deadline:  # a server dripping bytes just under the read timeout
            raise FetchFailed("timeout", "body not complete within the deadline")
    return b"".join(chunks)[:limit]


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), None if absent/invalid."""
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
