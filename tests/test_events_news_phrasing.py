"""News phrasings the events stage reads (session 11, from the fundus sentences it was checked
on): a time clause under a future action has not happened, "there were clashes" reports
clashes, and "barred from" restricts."""

from __future__ import annotations

import datetime as dt

from newsevents.events import code_text

DAY = dt.date(2024, 5, 6)


def _coded(text: str) -> set[tuple[str | None, str, str]]:
    return {(e.plover_type, e.trigger, e.modality) for e in code_text(text, DAY)}


def test_a_time_clause_under_a_future_action_has_not_happened():
    future = "The minister will meet the envoys once the Senate has ratified the treaty."
    assert ("SUPPORT", "ratified", "hypothetical") in _coded(future)
    # in the past, the time clause tells what happened
    past = "The minister met the envoys after the Senate ratified the treaty."
    assert ("SUPPORT", "ratified", "asserted") in _coded(past)


def test_an_existential_there_reports_the_event_it_names():
    assert ("ASSAULT", "clashes", "asserted") in _coded(
        "There were clashes between soldiers and rebels in Beni on Sunday."
    )
    assert ("PROTEST", "protests", "denied") in _coded("There were no protests in Kyiv.")


def test_barred_from_is_a_restriction():
    barred = "The court barred the opposition leader from leaving the country."
    assert ("COERCE", "barred", "asserted") in _coded(barred)

