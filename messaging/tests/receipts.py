"""A receipt's photo as Telegram delivers it: the update's `photo` sizes or `document`,
getFile and the file's URL, faked with respx as the Bot API documents them
(https://core.telegram.org/bots/api#getfile)."""

import io
import itertools
import json
from typing import Any

import httpx
from PIL import Image

from messaging.tests.helpers import API, TOKEN, TelegramTestCase, api_url, message, update

QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
REFUND = "t=20261127T0910&s=450.00&fn=9282000100072197&i=64502&fp=1187766550&n=2"
_files = itertools.count(1)


def no_receipt() -> bytes:
    """A photo with no QR code in it: a grey, grainy nothing."""
    buffer = io.BytesIO()
    Image.effect_noise((960, 1280), 30).convert("RGB").save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def photo_message(
    file_id: str, caption: str | None = None, *, size: int = 70_000, **kwargs: Any
) -> dict[str, Any]:
    """A message with a photo: Telegram lists its sizes, the largest last."""
    body = message(None, **kwargs)
    body["photo"] = [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": "s",
            "file_size": 1_400,
            "width": 68,
            "height": 90,
        },
        {
            "file_id": f"{file_id}-m",
            "file_unique_id": "m",
            "file_size": 14_000,
            "width": 240,
            "height": 320,
        },
        {
            "file_id": file_id,
            "file_unique_id": "x",
            "file_size": size,
            "width": 960,
            "height": 1280,
        },
    ]
    if caption is not None:
        body["caption"] = caption
    return body


def photo_update(file_id: str, caption: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return update("message", None, **photo_message(file_id, caption, **kwargs))


def document_update(
    file_id: str, mime_type: str, file_name: str, *, size: int = 80_000, **kwargs: Any
) -> dict[str, Any]:
    body = message(None, **kwargs)
    body["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": size,
    }
    return update("message", None, **body)


class TelegramFilesTestCase(TelegramTestCase):
    """TelegramTestCase whose Bot API also serves files: `serve(bytes)` gives a file_id."""

    def setUp(self) -> None:
        super().setUp()
        self.files: dict[str, bytes] = {}
        self.get_file = self.mock.post(api_url("getFile")).mock(side_effect=self._get_file)
        self.file_route = self.mock.get(url__startswith=f"{API}/file/bot{TOKEN}/").mock(
            side_effect=self._file
        )

    def serve(self, data: bytes) -> str:
        file_id = f"AgACAgIAAxkBAAI{next(_files):04d}"
        self.files[file_id] = data
        return file_id

    def _get_file(self, request: httpx.Request) -> httpx.Response:
        file_id = json.loads(request.content)["file_id"]
        if file_id not in self.files:
            return httpx.Response(
                400,
                json={
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: invalid file_id",
                },
            )
        result = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"photos/{file_id}.jpg",
        }
        return httpx.Response(200, json={"ok": True, "result": result})

    def _file(self, request: httpx.Request) -> httpx.Response:
        file_id = request.url.path.rsplit("/", 1)[1].removesuffix(".jpg")
        return httpx.Response(
            200, content=self.files[file_id], headers={"Content-Type": "image/jpeg"}
        )
