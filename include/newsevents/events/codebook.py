"""Event codes: CAMEO code → PLOVER type/mode/context, quad class, Goldstein score.

Everything here is read from the data files in ``newsevents/data/events/``: the PLOVER
project's CAMEO→PLOVER table (CC BY-SA 4.0), the Goldstein scale for CAMEO codes, the
PLOVER quad classes and the table that turns an action into its
announced ("will meet" → intent to meet), requested or refused form. The coder only
decides on a CAMEO code (plus an optional PLOVER type/mode where the PLOVER manual is
more specific than the table); every other code field follows from it here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from newsevents.events.words import DATA


@dataclass(frozen=True)
class Coding:
    """The code fields of one event, all derived from its CAMEO code."""

    cameo_code: str
    cameo_root: str
    plover_type: str
    plover_mode: str | None
    plover_context: str | None
    quad_class: int
    goldstein: float | None


def read_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated data file, without comments and the header line."""
    with (DATA / name).open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return rows[1:]


def _clean(value: str) -> str | None:
    value = value.strip()
    return value or None


class Codebook:
    """Lookups over the code tables; build once and share (``resources.Resources``)."""

    def __init__(self) -> None:
        self._plover = self._read_cameo2plover()
        types = read_table("plover_types.tsv")
        self._quad = {t: int(q) for t, q, _, _ in types}
        self._roots = {t: root for t, _, root, _ in types}
        self._modes = {t: set(filter(None, modes.split("|"))) for t, _, _, modes in types}
        self._goldstein = {c: float(g) for c, g in read_table("cameo_goldstein.tsv")}
        for ptype, root in self._roots.items():
            if self.plover(root)[0] != ptype:
                raise ValueError(f"plover_types.tsv: root code {root} is not of type {ptype}")
        self._recode = {
            prefix: dict(zip(("future", "refused", "requested"), codes, strict=True))
            for prefix, *codes in read_table("recode.tsv")
        }

    @staticmethod
    def _read_cameo2plover() -> dict[str, tuple[str, str | None, str | None]]:
        """CAMEO code → (type, mode, context) from the PLOVER table ("030: AGREE, , diplomatic")."""
        table: dict[str, tuple[str, str | None, str | None]] = {}
        line_re = re.compile(r"^(\d{2,4}):\s*([A-Z]+)\s*(?:,([^,#]*))?(?:,([^#]*))?")
        text = (DATA / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8")
        for line in text.splitlines():
            m = line_re.match(line)
            if m and m.group(1) not in table:
                table[m.group(1)] = (m.group(2), _clean(m.group(3) or ""), _clean(m.group(4) or ""))
        return table

    def plover(self, cameo: str) -> tuple[str, str | None, str | None]:
        """PLOVER (type, mode, context) of a CAMEO code, falling back to its parent codes."""
        for n in range(len(cameo), 1, -1):
            if cameo[:n] in self._plover:
                return self._plover[cameo[:n]]
        raise KeyError(f"unknown CAMEO code {cameo!r}")

    def coding(self, cameo: str, plover_type: str | None = None, mode: str | None = None) -> Coding:
        """All code fields of a CAMEO code; ``plover_type``/``mode`` override the table's."""
        table_type, table_mode, context = self.plover(cameo)
        ptype = plover_type or table_type
        if mode is None and ptype == table_type:
            mode = table_mode
        return Coding(
            cameo_code=cameo,
            cameo_root=cameo[:2],
            plover_type=ptype,
            plover_mode=mode if mode in self._modes[ptype] else None,
            plover_context=context,
            quad_class=self._quad[ptype],
            goldstein=self._lookup_prefix(self._goldstein, cameo),
        )

    @property
    def plover_types(self) -> tuple[str, ...]:
        return tuple(self._quad)

    def quad_class(self, plover_type: str) -> int:
        return self._quad[plover_type]

    def root_code(self, plover_type: str) -> str:
        """The CAMEO code of a PLOVER type known only as a type (plover_types.tsv)."""
        return self._roots[plover_type]

    def recode(self, cameo: str, form: str) -> str | None:
        """The code of the action announced ("future"), refused or requested, if CAMEO has one."""
        for n in range(len(cameo), 1, -1):
            row = self._recode.get(cameo[:n])
            if row is not None:
                code = row[form]
                return None if code == "-" else code
        return None

    @staticmethod
    def _lookup_prefix(table: dict[str, float], cameo: str) -> float | None:
        for n in range(len(cameo), 1, -1):
            if cameo[:n] in table:
                return table[cameo[:n]]
        return None
