"""Emoji in a text: the ones the shipped vocabulary gives a category (`🍔 450`)."""

import re

from finance.textparse import vocabulary

# Where emoji live. A class of ranges is one comparison a character; a class of the few
# hundred known emoji themselves costs ~20 µs a text.
_SYMBOLS_RE = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff]")


def find(text: str) -> list[str]:
    """The known emoji of a text, in order.

    Each is looked up by its base symbol alone: a skin tone (`💅🏾`), a variation selector
    (`☕️`) or the rest of a sequence (`💇‍♀️`) follows it as other characters.
    """
    known = vocabulary.emoji()
    return [sign for sign in _SYMBOLS_RE.findall(text) if sign in known]
