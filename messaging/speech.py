"""Speech to text: what a person said in a voice message, by an OpenAI-compatible service.

The operator chooses the service (`SPEECH_TO_TEXT_URL`): a self-hosted faster-whisper
server or a hosted API. The call is OpenAI's documented one,
`POST {URL}/audio/transcriptions` with a multipart `file`, `model` and `language`,
answered `{"text": "..."}`.
"""

import logging

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

# Longer or larger voice messages are refused before a byte of them is fetched.
MAX_SECONDS = 120
MAX_BYTES = 5 * 1024 * 1024
# A whisper model on a CPU takes a few seconds a minute of speech; two minutes of it
# on a busy server well under a minute.
TIMEOUT = httpx.Timeout(60.0, connect=5.0)


class SpeechError(Exception):
    """The service did not give a transcript. `permanent`: asking again will not help
    (it refused this audio, or its key); otherwise (down, slow, 5xx, 429) it may."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def enabled() -> bool:
    return bool(settings.SPEECH_TO_TEXT_URL)


def transcribe(
    audio: bytes,
    *,
    filename: str,
    content_type: str,
    language: str,
    client: httpx.Client | None = None,
) -> str:
    """The words heard in `audio` (`language`: ISO 639-1, "ru"), spaces normalised."""
    if not enabled():
        raise SpeechError("SPEECH_TO_TEXT_URL is not set", permanent=True)
    headers = {}
    if settings.SPEECH_TO_TEXT_KEY:
        headers["Authorization"] = f"Bearer {settings.SPEECH_TO_TEXT_KEY}"
    url = f"{settings.SPEECH_TO_TEXT_URL}/audio/transcriptions"
    fields = {"model": settings.SPEECH_TO_TEXT_MODEL, "language": language}
    try:
        if client is None:
            with httpx.Client(timeout=TIMEOUT) as own:
                response = _post(own, url, audio, filename, content_type, fields, headers)
        else:
            response = _post(client, url, audio, filename, content_type, fields, headers)
    except httpx.HTTPError as exc:
        raise SpeechError(f"speech to text: {type(exc).__name__}") from None
    status = response.status_code
    if status != 200:
        # 408 and 429 pass; any other 4xx refuses this audio (or this key) for good.
        permanent = 400 <= status < 500 and status not in {408, 429}
        raise SpeechError(f"speech to text: HTTP {status}", permanent=permanent)
    try:
        body = response.json()
    except ValueError:
        raise SpeechError("speech to text: the answer is not JSON") from None
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise SpeechError("speech to text: the answer has no text")
    return " ".join(text.split())


def _post(
    client: httpx.Client,
    url: str,
    audio: bytes,
    filename: str,
    content_type: str,
    fields: dict[str, str],
    headers: dict[str, str],
) -> httpx.Response:
    return client.post(
        url,
        files={"file": (filename, audio, content_type or "application/octet-stream")},
        data=fields,
        headers=headers,
        timeout=TIMEOUT,
    )
