"""The CLI imports per command: ``newsevents extract`` loads the clean stage, not the pipeline,
nor what only the lake (pyarrow), listing (fsspec) or fetching (httpx, sitemaps) needs."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES

# Run in a fresh interpreter: the CLI as the console script runs it, then the loaded modules.
PROBE = """
import json, sys
from newsevents.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
NOT_FOR_EXTRACT = ("spacy", "datasketch", "newsevents.events", "newsevents.dedupe",
                   "newsevents.pipeline", "newsevents.query", "newsevents.lake", "duckdb",
                   "pyarrow", "fsspec", "httpx", "usp", "feedparser", "warcio",
                   "newsevents.sources.web", "newsevents.sources.warc")


def loaded_by(*argv: str) -> tuple[int, set[str], str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          check=True, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["status"], set(report["modules"]), done.stdout


def test_extract_imports_neither_the_later_stages_nor_the_lake_nor_the_web():
    status, modules, out = loaded_by("extract", str(FIXTURES / "clean" / "comment_form.html"))
    assert status == 0 and "narrow vote of 151 to 146" in json.loads(out)["text"]
    assert "newsevents.clean" in modules
    loaded = [m for m in modules
              if any(m == name or m.startswith(f"{name}.") for name in NOT_FOR_EXTRACT)]
    assert loaded == []


def test_building_the_parser_imports_no_stage():
    done = subprocess.run(
        [sys.executable, "-c", "import sys; import newsevents.cli as c; c.build_parser(); "
         "print(' '.join(sorted(m for m in sys.modules if m.startswith('newsevents'))))"],
        capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["newsevents", "newsevents.cli"]
