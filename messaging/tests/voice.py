"""What the voice tests share: a voice note made by code, Telegram's `voice` object and
getFile answer as documented, and the speech service faked at the HTTP boundary in the
documented shape of `POST /audio/transcriptions` (multipart in, `{"text": ...}` out)."""

import itertools
import json
from typing import Any

import httpx

from messaging import voice
from messaging.tests.helpers import API, TOKEN
from notifications.tests.helpers import queued

STT_URL = "https://stt.test/v1"
STT_KEY = "stt-secret-key"
TRANSCRIPTIONS = f"{STT_URL}/audio/transcriptions"
SPEECH_SETTINGS = {
    "SPEECH_TO_TEXT_URL": STT_URL,
    "SPEECH_TO_TEXT_MODEL": "whisper-1",
    "SPEECH_TO_TEXT_KEY": STT_KEY,
}
_files = itertools.count(1)


def ogg_bytes(size: int = 3000) -> bytes:
    """An OGG page's capture pattern and header, then filler: the service is faked, so
    only the bytes' passage matters."""
    header = b"OggS\x00\x02" + bytes(20)
    return header + bytes(i % 251 for i in range(size - len(header)))


def voice_object(*, duration: int = 3, size: int | None = 3000) -> dict[str, Any]:
    """Telegram's `Voice` (https://core.telegram.org/bots/api#voice)."""
    n = next(_files)
    found: dict[str, Any] = {
        "file_id": f"AwACAgIAAxkBAAI{n:06d}",
        "file_unique_id": f"AgAD{n:06d}",
        "duration": duration,
        "mime_type": "audio/ogg",
    }
    if size is not None:
        found["file_size"] = size
    return found


def file_path(file_id: str) -> str:
    return f"voice/file_{file_id[-6:]}.oga"


def file_url(file_id: str) -> str:
    return f"{API}/file/bot{TOKEN}/{file_path(file_id)}"


def get_file_answer(request: httpx.Request) -> httpx.Response:
    """getFile as Telegram answers it: the `File` with its path."""
    file_id = json.loads(request.content)["file_id"]
    result = {
        "file_id": file_id,
        "file_unique_id": "AgAD" + file_id[-6:],
        "file_size": 3000,
        "file_path": file_path(file_id),
    }
    return httpx.Response(200, json={"ok": True, "result": result})


def transcript(text: str) -> httpx.Response:
    return httpx.Response(200, json={"text": text})


def multipart_fields(request: httpx.Request) -> dict[str, bytes]:
    """The parts of a multipart/form-data request, by name."""
    boundary = request.headers["Content-Type"].split("boundary=")[1].encode()
    fields: dict[str, bytes] = {}
    for part in request.content.split(b"--" + boundary):
        head, _sep, body = part.partition(b"\r\n\r\n")
        if b'name="' not in head:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = body.removesuffix(b"\r\n")
    return fields


def hear_jobs() -> list[dict[str, Any]]:
    return queued(voice.HEAR)
