"""Word lists shared by the events stage (``data/events/words.yaml``), checked on load.

Calendar words, verbs of saying and place words are used by the coder, the gazetteer,
the date reader and the casualty counter alike, so they are written out once. The lists
are constants of the package data, read once when this module is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

DATA = resources.files("newsevents") / "data" / "events"
_LISTS = ("weekdays", "months", "speech_verbs", "province_words", "district_words",
          "town_words", "place_nouns", "directions", "representatives", "relatives",
          "crowd_counts")  # fmt: skip


class WordListError(ValueError):
    """A word list file that breaks its rules (the message says which and where)."""


def inflections(lemma: str) -> set[str]:
    """Regular English inflections of a verb or noun (over-generating is harmless here, as
    long as no form is another word: "refuge" does not inflect to "refugees")."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms = {lemma, lemma + "s", lemma + "ed", stem + "ed", stem + "ing"}
    if lemma.endswith("e"):
        forms.add(lemma + "d")
    if re.search(r"(s|x|z|ch|sh|o)$", lemma):  # march -> marches, but refuge -/-> refugees
        forms.add(lemma + "es")
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):  # ban -> banned, shell -> shelling
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    if re.search(r"[^aeiou]y$", lemma):  # deny -> denied, denies
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    return forms


def check_list(name: str, value: Any, where: str) -> list[str]:
    """A list of lower-case words without repeats, or a WordListError naming it."""
    if not isinstance(value, list) or not value:
        raise WordListError(f"{where}: {name} must be a non-empty list")
    words = [str(w) for w in value]
    bad = [w for w in words if w != w.lower() or not w.strip()]
    if bad:
        raise WordListError(f"{where}: {name} has words that are not lower case: {bad}")
    repeated = sorted({w for w in words if words.count(w) > 1})
    if repeated:
        raise WordListError(f"{where}: {name} lists {repeated} more than once")
    return words


@dataclass(frozen=True)
class Words:
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    speech_verbs: frozenset[str]  # lemmas
    speech_forms: frozenset[str]  # every form of them ("said", "says", "told")
    province_words: frozenset[str]
    district_words: frozenset[str]
    town_words: frozenset[str]
    place_nouns: frozenset[str]  # every place word, the three kinds above included
    directions: frozenset[str]
    representatives: frozenset[str]  # who speaks or acts for an organisation
    relatives: frozenset[str]  # kin: "Zuma's daughter" is not Zuma
    crowd_counts: frozenset[str]  # "thousands rallied": a crowd of civilians
    irregular: dict[str, tuple[str, ...]]

    @classmethod
    def parse(cls, raw: dict, where: str = "words.yaml") -> Words:
        lists = {name: check_list(name, raw.get(name), where) for name in _LISTS}
        if len(lists["weekdays"]) != 7 or len(lists["months"]) != 12:
            raise WordListError(f"{where}: need 7 weekdays and 12 months")
        kinds = ("province_words", "district_words", "town_words", "place_nouns", "directions")
        for i, a in enumerate(kinds):
            for b in kinds[i + 1 :]:
                if shared := set(lists[a]) & set(lists[b]):
                    raise WordListError(f"{where}: {sorted(shared)} in both {a} and {b}")
        irregular = {str(k): tuple(check_list(k, v, where)) for k, v in raw["irregular"].items()}
        verbs = frozenset(lists["speech_verbs"])
        forms = {f for v in verbs for f in inflections(v) | set(irregular.get(v, ()))}
        places = frozenset().union(*(lists[k] for k in kinds))
        return cls(
            weekdays=tuple(lists["weekdays"]),
            months=tuple(lists["months"]),
            speech_verbs=verbs,
            speech_forms=frozenset(forms),
            province_words=frozenset(lists["province_words"]),
            district_words=frozenset(lists["district_words"]),
            town_words=frozenset(lists["town_words"]),
            place_nouns=places,
            directions=frozenset(lists["directions"]),
            representatives=frozenset(lists["representatives"]),
            relatives=frozenset(lists["relatives"]),
            crowd_counts=frozenset(lists["crowd_counts"]),
            irregular=irregular,
        )


def _read() -> Words:
    with (DATA / "words.yaml").open(encoding="utf-8") as f:
        return Words.parse(yaml.safe_load(f))


WORDS = _read()
CALENDAR_WORDS = frozenset(WORDS.weekdays) | frozenset(WORDS.months)
