"""docs/codebook.md: generated from schema.py, complete, and never stale."""

from __future__ import annotations

import dataclasses
import re
import typing

import pytest
from conftest import ROOT

from newsevents import codebook
from newsevents.schema import SCHEMAS, TABLES

CODEBOOK = ROOT / "docs" / "codebook.md"


def test_the_committed_codebook_is_the_generated_one():
    assert CODEBOOK.read_text(encoding="utf-8") == codebook.render(), (
        "docs/codebook.md is stale: run `python -m newsevents.codebook`")
    assert codebook.main(["--check", "--out", str(CODEBOOK)]) == 0


def test_the_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "codebook.md"
    stale.write_text(codebook.render().replace("Goldstein", "Goldstien"), encoding="utf-8")
    assert codebook.main(["--check", "--out", str(stale)]) == 1
    assert codebook.main(["--out", str(stale)]) == 0
    assert codebook.main(["--check", "--out", str(stale)]) == 0


def test_every_column_of_every_table_is_described():
    text = CODEBOOK.read_text(encoding="utf-8")
    for table, record_type in TABLES.items():
        assert f"## `{table}`" in text
        docs = codebook.field_docs(record_type)
        for name in SCHEMAS[table].names:
            assert len(docs[name]) > 10, (table, name)
            assert f"| `{name}` |" in text, (table, name)


def test_a_column_without_a_description_fails():
    @dataclasses.dataclass
    class Table:
        described: int
        """What it is."""
        undescribed: int = 0

    with pytest.raises(codebook.MissingDescription, match="undescribed"):
        codebook.field_docs(Table)


def test_every_reject_reason_in_the_code_is_in_the_codebook():
    """Reasons are string literals where a Reject (or the error that becomes one) is made."""
    made = re.compile(r'(?:_reject|Reject|FetchFailed|URLRefused|Undecodable)\((?:[^()"]*, *)?'
                      r'"([a-z_]+)"(?:, *"([a-z_]+)")?'
                      r'|reason = "([a-z_]+)"(?: if .* else "([a-z_]+)")?')
    found = set()
    for path in (ROOT / "include" / "newsevents").rglob("*.py"):
        for match in made.finditer(path.read_text(encoding="utf-8")):
            found |= {g for g in match.groups() if g}
    found -= set(codebook.STAGE)  # Reject(source, stage, reason): the stage matched first
    assert len(found) > 20
    assert found <= set(codebook.REJECT_REASONS), found - set(codebook.REJECT_REASONS)


def test_value_sets_match_the_code_that_sets_them():
    from newsevents.events import geo, when
    from newsevents.events.stage import REPORT_DATE

    assert set(codebook.TIME_PRECISION) == {*typing.get_args(when.Granularity), REPORT_DATE}
    assert set(codebook.GEO_PRECISION) == {geo.TOWN, geo.DISTRICT, geo.PROVINCE, geo.COUNTRY}
    text = CODEBOOK.read_text(encoding="utf-8")
    for plover_type in ("ASSAULT", "CONSULT", "PROTEST"):
        assert f"| `{plover_type}` |" in text
    assert "| `19` | Fight | 4 |" in text  # CAMEO root, name, GDELT QuadClass
    assert "| `MIL` | primary | 1 State forces |" in text
