"""Emoji in a text: the ones the shipped vocabulary gives a category (`🍔 450`)."""

import re
from functools import cache

from finance.textparse import vocabulary


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(sign) for sign in vocabulary.emoji()) + "]")


def find(text: str) -> list[str]:
    """The known emoji of a text, in order.

    Each is looked up by its base symbol alone: a skin tone (`💅🏾`), a variation selector
    (`☕️`) or the rest of a sequence (`💇‍♀️`) follows it as other characters.
    """
    return _pattern().findall(text)
