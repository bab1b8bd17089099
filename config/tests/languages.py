"""Whether a text a person reads keeps to one language: what the language walk checks.

English text may quote what the person wrote ("“кофе” is archived") but holds no other
Cyrillic. Russian text may name codes, paths, headers and names (`payload.amount`,
`X-Bot-Token`, RUB, JSON, Kopilka) and quote values, but holds no run of English words
and no English word that only a sentence would need ("the", "is", "not").
"""

import re

CYRILLIC = re.compile("[А-Яа-яЁё]")
LATIN = re.compile("[A-Za-z]")
# Quoted values: “…”, «…», „…“, "…", `…`, and '…' where the quotes are not apostrophes.
QUOTED = re.compile(r"“[^”]*”|«[^»]*»|„[^“]*“|\"[^\"]*\"|`[^`]*`|(?<!\w)'[^']*'(?!\w)")
# A code, a path, a header, a number with its unit: anything with one of _ . / : @ % = +
# # $ or a digit inside, a dotted path, an ALL-CAPS word, Latin words joined by hyphens.
CODE = re.compile(
    r"(?<![\w-])(?:[\w-]*[_/:@%=+#$0-9][\w./:@%=+#$-]*|[\w-]+(?:\.[\w-]+)+"
    r"|[A-Z][A-Z0-9]+s?|[A-Za-z]+(?:-[A-Za-z0-9]+)+)(?![\w-])"
)
# Names that a Russian sentence keeps as they are.
NAMES = frozenset(
    {
        "Kopilka",
        "Authorization",
        "Telegram",
        "WhatsApp",
        "Twilio",
        "Bearer",
        "BotFather",
        "Excel",
        "Gemini",
    }
)
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
# Two Latin words with nothing but spaces between them.
ENGLISH_RUN = re.compile(r"(?<![\w-])[A-Za-z]+(?:'[a-z]+)?(?:[ \t\u00a0]+[A-Za-z]+(?:'[a-z]+)?)+")
# Words no code or name is made of: a sentence's.
SENTENCE_WORDS = """a an the is are was be been not no of to in on at by for with from and or but
this that these those it its may must can cannot should here there than then which who what
when where your you our we please try again only one any every each has have"""
ENGLISH_WORDS = frozenset(SENTENCE_WORDS.split())


def unquoted(text: str) -> str:
    return QUOTED.sub(" ", text)


def foreign(text: str, language: str) -> str:
    """What in `text` is not in `language` ("" when it keeps to it), for an assertion."""
    if not text.strip():
        return "(empty)"
    if language == "en":
        rest = unquoted(text)
        if CYRILLIC.search(rest):
            return f"Cyrillic in English: {text!r}"
        return ""
    if not CYRILLIC.search(text):
        return f"no Russian at all: {text!r}"
    rest = CODE.sub(" ", unquoted(text))
    rest = " ".join(w for w in rest.split(" ") if w.strip(".,;:!?()") not in NAMES)
    run = ENGLISH_RUN.search(rest)
    if run:
        return f"English words {run[0]!r} in Russian: {text!r}"
    stray = [w for w in WORD.findall(rest) if w.lower() in ENGLISH_WORDS]
    if stray:
        return f"English word {stray[0]!r} in Russian: {text!r}"
    return ""


def mixed(texts: list[str], language: str) -> list[str]:
    """Each of `texts` that is not in `language`, with what gave it away."""
    return [problem for text in texts if (problem := foreign(text, language))]


def messages_of(body: object) -> list[str]:
    """Every human sentence of an error body: its message and each detail's."""
    if not isinstance(body, dict):
        return []
    found = [str(body["message"])] if "message" in body else []
    for detail in body.get("details") or []:
        if isinstance(detail, dict) and "message" in detail:
            found.append(str(detail["message"]))
    return found
