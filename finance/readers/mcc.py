"""Merchant category codes (ISO 18245) to the slugs of the default categories.

The table is data (`mcc.tsv` beside this file); this module only reads it, once.
"""

from collections.abc import Mapping
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("mcc.tsv")


def parse(text: str) -> dict[str, str]:
    """Code -> slug from the table's text; a line that is not `code<TAB>slug<TAB>name`,
    or a code given twice, raises ValueError naming the line."""
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        codes, slug = fields[0], fields[1] if len(fields) > 1 else ""
        first, _, last = codes.partition("-")
        last = last or first
        if not (len(first) == len(last) == 4 and first.isdigit() and last.isdigit()):
            raise ValueError(f"mcc.tsv line {number}: {codes!r} is not a code or a range")
        if not slug or len(fields) != 3 or int(first) > int(last):
            raise ValueError(f"mcc.tsv line {number}: expected code, slug and name")
        for code in range(int(first), int(last) + 1):
            key = f"{code:04d}"
            if key in table:
                raise ValueError(f"mcc.tsv line {number}: {key} is already mapped")
            table[key] = slug
    return table


@cache
def table() -> Mapping[str, str]:
    return parse(TABLE.read_text(encoding="utf-8"))


def category_for(mcc: str | None) -> str | None:
    """The default category's slug for a merchant category code, or None."""
    return table().get(mcc) if mcc else None
