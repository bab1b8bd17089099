import threading
import time

from django.test import SimpleTestCase, override_settings

from notifications import limiter
from notifications.tests.helpers import clear_limits


def sliding_max(times: list[float], window: float = 1.0) -> int:
    """The most events in any window of `window` seconds, however it is placed."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@override_settings(TELEGRAM_RATE_PER_SECOND=10, TELEGRAM_CHAT_INTERVAL_MS=300)
class LimiterTestCase(SimpleTestCase):
    def setUp(self) -> None:
        clear_limits()

    def acquire_from_threads(self, chats: list[str]) -> list[float]:
        return [t for _chat, t in self.acquire_labelled(chats)]

    def acquire_labelled(self, chats: list[str]) -> list[tuple[str, float]]:
        times: list[tuple[str, float]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(chats))

        def run(chat: str) -> None:
            barrier.wait()
            limiter.acquire(chat)
            with lock:
                times.append((chat, time.monotonic()))

        threads = [threading.Thread(target=run, args=(chat,)) for chat in chats]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return times

    def test_the_overall_cap_holds_in_any_second(self) -> None:
        times = self.acquire_from_threads([f"chat-{i}" for i in range(35)])
        self.assertEqual(len(times), 35)
        self.assertLessEqual(sliding_max(times), 10)
        # It waits only as long as needed: 35, 125 ms apart, take about 4.3 s.
        self.assertLess(max(times) - min(times), 6.0)
        self.assertGreater(max(times) - min(times), 3.5)

    def test_one_chat_gets_one_message_per_interval(self) -> None:
        start = time.monotonic()
        acquired = self.acquire_labelled(["chat-1"] * 4 + ["chat-2"])
        times = [t for chat, t in acquired if chat == "chat-1"]
        (other,) = [t for chat, t in acquired if chat == "chat-2"]
        # Four to one chat, 300 ms apart: at least 900 ms from the first to the last.
        self.assertGreaterEqual(max(times) - min(times), 0.85)
        # Another chat is not held up behind them.
        self.assertLess(other - start, 0.5)

    @override_settings(TELEGRAM_RATE_PER_SECOND=0)
    def test_no_cap_when_lifted(self) -> None:
        start = time.monotonic()
        times = self.acquire_from_threads([f"chat-{i}" for i in range(50)])
        self.assertLess(max(times) - start, 1.0)

    @override_settings(REDIS_URL="")
    def test_the_same_rule_in_one_process_without_redis(self) -> None:
        times = self.acquire_from_threads([f"chat-{i}" for i in range(25)])
        self.assertLessEqual(sliding_max(times), 10)
        self.assertGreater(max(times) - min(times), 1.0)
