"""The boilerplate vocabulary (data/clean/boilerplate.yaml), compiled once per process."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

# Furniture lines are short; longer paragraphs are never tested (and can never match,
# since every pattern bounds its free tail), which keeps the pass cheap on long texts.
MAX_FURNITURE_CHARS = 500


@dataclass(frozen=True)
class Patterns:
    comment_heading: re.Pattern[str]
    paywall: re.Pattern[str]
    line: re.Pattern[str]
    error_page: re.Pattern[str]
    byline_words: tuple[str, ...]  # casefolded, longest first


def _alternation(section: dict[str, list[str]]) -> re.Pattern[str]:
    parts = [p for patterns in section.values() for p in patterns]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


@functools.cache
def patterns() -> Patterns:
    """The compiled patterns (loaded on first use, then cached)."""
    source = (
        resources.files("newsevents").joinpath("data/clean/boilerplate.yaml").read_text("utf-8")
    )
    data = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # C: 10x faster
    return Patterns(
        comment_heading=_alternation(data["comment_heading"]),
        paywall=_alternation(data["paywall"]),
        line=_alternation(data["line"]),
        error_page=_alternation(data["error_page"]),
        byline_words=tuple(
            sorted((w.casefold() for w in data["byline_word"]), key=len, reverse=True)
        ),
    )


def fullmatch(pattern: re.Pattern[str], text: str) -> bool:
    """Whether a whole (whitespace-normalised) paragraph is an instance of ``pattern``."""
    return len(text) <= MAX_FURNITURE_CHARS and pattern.fullmatch(text) is not None
