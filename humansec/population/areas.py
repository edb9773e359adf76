"""Reference areas from OCHA COD-AB boundaries: which columns are the P-codes, names, levels.

COD-AB files name their columns by level: ``ADM1_PCODE``, ``ADM1_EN``, ``ADM1_UA``,
``ADM0_PCODE``... The deepest level with a ``_PCODE`` column is the level of the file's units:
its P-code is the area's ``id`` and ``pcode``, the P-code one level up its ``parent_pcode``,
its English name (else its ``_NAME``, else the first language present) its ``name``, and the
level its ``admin_level``. The other name columns (``ADM1_UA``, ``ADM1_RU``) are left unmapped,
so the ingest keeps them as extra attributes (``adm1_ua``, ``adm1_ru``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_PCODE = re.compile(r"^adm(?P<level>[0-4])_pcode$", re.IGNORECASE)
_NAME = re.compile(r"^adm(?P<level>[0-4])_(?P<suffix>[a-z]{2}|name)$", re.IGNORECASE)


@dataclass(frozen=True)
class CodAbColumns:
    """The COD-AB columns of one file: what fills the area fields.

    ``columns`` maps area fields to source columns; ``admin_level`` is the units' level;
    ``names`` every name column of that level (``ADM1_EN``, ``ADM1_UA``), kept as extras.
    """

    admin_level: int
    columns: dict[str, str] = field(default_factory=dict)
    names: tuple[str, ...] = ()


def codab_columns(columns: Iterable[str]) -> CodAbColumns | None:
    """Recognise COD-AB columns, or return None when there is no ``ADMn_PCODE`` column.

    >>> found = codab_columns(["ADM0_PCODE", "ADM1_PCODE", "ADM1_UA", "ADM1_EN", "adm1Type"])
    >>> found.admin_level, found.columns["pcode"], found.columns["parent_pcode"]
    (1, 'ADM1_PCODE', 'ADM0_PCODE')
    >>> found.columns["id"], found.columns["name"], found.names
    ('ADM1_PCODE', 'ADM1_EN', ('ADM1_UA', 'ADM1_EN'))
    """
    names = [str(c) for c in columns]
    pcodes: dict[int, str] = {}
    for column in names:
        match = _PCODE.match(column)
        if match is not None:
            pcodes.setdefault(int(match["level"]), column)
    if not pcodes:
        return None
    level = max(pcodes)
    mapped = {"id": pcodes[level], "pcode": pcodes[level]}
    if level - 1 in pcodes:
        mapped["parent_pcode"] = pcodes[level - 1]
    level_names = [
        c for c in names if (m := _NAME.match(c)) is not None and int(m["level"]) == level
    ]
    by_suffix = {str(_NAME.match(c)["suffix"]).lower(): c for c in level_names}  # type: ignore[index]
    name = by_suffix.get("en") or by_suffix.get("name") or (level_names[0] if level_names else None)
    if name is not None:
        mapped["name"] = name
    return CodAbColumns(admin_level=level, columns=mapped, names=tuple(level_names))
