"""Text a spreadsheet would run as a formula, made text on the way out and given back
as it was on the way in (OWASP's rule against CSV injection).

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return (and, in some locales, their full-width `＝＋－＠` and small `﹦﹢﹣﹫` forms), spaces before them
or not. Which cells there are depends on the separator it splits at: a note
`x;=1+2;y` in a comma-separated file is three cells to Excel in Russian, which splits at
`;`. So the rule is applied to every place a cell could start, whatever the separator:
the start of the text and after every comma, semicolon, tab or line break in it. There
an apostrophe is put before such text, and before an apostrophe already there, so that
reading it back (`restore`) takes off exactly the apostrophes `protect` put on: a
person's own `'` survives the round trip. The CSV writer also quotes every cell.
"""

import re

# What starts a formula, and the apostrophe (escaped as well, so that escaping reverses).
_STARTS = "=+\\-@\t\r\0\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b'"
# Where a spreadsheet splitting at one of these could start a cell.
_SEPARATORS = ",;\t\r\n"
_PROTECT = re.compile(rf"(^|[{_SEPARATORS}])(?= *[{_STARTS}])")
_RESTORE = re.compile(rf"(^|[{_SEPARATORS}])'(?= *[{_STARTS}])")


def protect(value: str) -> str:
    """`value` with an apostrophe before every part a spreadsheet could run."""
    return _PROTECT.sub(r"\1'", value)


def restore(value: str) -> str:
    """`protect`'s input again from its output; other text as it is."""
    return _RESTORE.sub(r"\1", value)
