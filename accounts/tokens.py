"""Bot token format, modelled on GitHub's: kop_ + 30 random base62 characters + a CRC32 checksum.

The checksum lets a mistyped or truncated token be refused without a database query,
and lets secret scanners recognise a leaked token with few false positives.
"""

import hashlib
import re
import secrets
import zlib

PREFIX = "kop_"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 30  # 30 * log2(62) = 178 bits
CHECKSUM_LENGTH = 6  # base62 of a 32-bit CRC
DISPLAY_LENGTH = len(PREFIX) + 6  # non-secret part shown in lists: "kop_AbC123"
TOKEN_RE = re.compile(rf"^{PREFIX}[0-9A-Za-z]{{{RANDOM_LENGTH + CHECKSUM_LENGTH}}}$")


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, ALPHABET[0])


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{PREFIX}{body}{_checksum(body)}"


def is_well_formed(token: str) -> bool:
    if not TOKEN_RE.match(token):
        return False
    body = token[len(PREFIX) : len(PREFIX) + RANDOM_LENGTH]
    return secrets.compare_digest(token[-CHECKSUM_LENGTH:], _checksum(body))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_LENGTH]
