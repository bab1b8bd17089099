"""A local stand-in for the Telegram Bot API on loopback: it answers sendMessage as
Telegram documents it and records what arrived, and when (for tests and the bench)."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    at: float  # time.time()
    token: str
    chat_id: str
    text: str


@dataclass
class TelegramStandIn:
    received: list[Received] = field(default_factory=list)
    # Seconds each answer takes: a Bot API slow to answer.
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "TelegramStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as api.telegram.org
            # Headers and body go out as two writes: without TCP_NODELAY the body waits
            # for the client's delayed ACK, 40 ms a message that Telegram does not add.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = self.path.split("/")[1].removeprefix("bot")
                if standin.delay:
                    time.sleep(standin.delay)
                with standin.lock:
                    standin.received.append(
                        Received(time.time(), token, str(body["chat_id"]), body["text"])
                    )
                    message_id = len(standin.received)
                self.reply(
                    {
                        "ok": True,
                        "result": {
                            "message_id": message_id,
                            "date": int(time.time()),
                            "chat": {"id": int(body["chat_id"]), "type": "private"},
                            "text": body["text"],
                        },
                    }
                )

            def reply(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)
