"""How politely and how safely the web fetcher behaves: one frozen settings object.

The defaults suit a scheduled crawl of news sites; tests shrink the timeouts and allow-list
127.0.0.1 so they can talk to their local server.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cached_property

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class FetchPolicy:
    # Name the operator in deployments, e.g. "newsevents/0.1 (+mailto:crawl@example.org)".
    # Its first word (before "/") is the token robots.txt groups are matched against.
    user_agent: str = "newsevents/0.1 (news event extraction; polite crawler)"
    timeout_s: float = 10.0  # connect, read and write timeout of each network operation
    deadline_s: float = 60.0  # total time per URL: retries, back-off and redirects included
    max_bytes: int = 5 * 1024 * 1024  # largest body kept (decoded); larger ones are rejected
    max_redirects: int = 5
    max_retries: int = 3  # extra attempts after a 429, a 5xx or a dropped connection
    backoff_base_s: float = 1.0  # attempt n waits about base * 2**n, with jitter
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 120.0  # a longer Retry-After ends the URL as rate_limited/http_5xx
    per_domain_delay_s: float = 1.0  # least gap between request starts on one host
    per_domain_concurrency: int = 2
    max_crawl_delay_s: float = 30.0  # robots.txt Crawl-delay is obeyed up to this
    max_workers: int = 8  # threads across all hosts
    max_sitemaps: int = 50  # feed/sitemap documents fetched per discovery (sitemap indexes nest)
    allowed_networks: tuple[str, ...] = ()  # CIDRs that may be fetched although not public

    def __post_init__(self) -> None:
        positive = ("timeout_s", "deadline_s", "max_bytes", "per_domain_concurrency",
                    "max_workers", "max_sitemaps")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchPolicy.{name} must be > 0, not {getattr(self, name)!r}")
        not_negative = ("max_redirects", "max_retries", "backoff_base_s", "backoff_max_s",
                        "max_retry_after_s", "per_domain_delay_s", "max_crawl_delay_s")
        for name in not_negative:
            if getattr(self, name) < 0:
                raise ValueError(f"FetchPolicy.{name} must be >= 0, not {getattr(self, name)!r}")
        if not self.user_agent.strip():
            raise ValueError("FetchPolicy.user_agent must not be empty")
        self.networks  # noqa: B018 - parse the CIDRs now so a typo fails at construction

    @cached_property
    def networks(self) -> tuple[IPNetwork, ...]:
        """``allowed_networks`` parsed."""
        try:
            return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in self.allowed_networks)
        except ValueError as exc:
            raise ValueError(f"FetchPolicy.allowed_networks: {exc}") from None

    @property
    def robots_token(self) -> str:
        """The product token robots.txt ``User-agent`` lines are matched against."""
        return self.user_agent.split("/", 1)[0].split()[0].strip()
