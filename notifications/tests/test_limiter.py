import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable

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

    def send_from_threads(
        self, chats: list[str], stall: Callable[[int, int], float] = lambda n, k: 0.0
    ) -> list[tuple[str, float]]:
        """Each chat's message sent from a thread of its own, all at once: (chat, when it
        was received). The n-th to get its slot is held `stall(n, k)` seconds between its
        slot and its receipt (k: the how-manyth to its chat), as a busy machine or a slow
        network holds a send."""
        received: list[tuple[str, float]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(chats))
        granted = itertools.count()
        per_chat: Counter[str] = Counter()

        def run(chat: str) -> None:
            barrier.wait()
            with limiter.slot(chat):
                with lock:
                    n, k = next(granted), per_chat[chat]
                    per_chat[chat] += 1
                time.sleep(stall(n, k))
                with lock:
                    received.append((chat, time.monotonic()))

        threads = [threading.Thread(target=run, args=(chat,)) for chat in chats]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return received

    def test_the_overall_cap_holds_in_any_second(self) -> None:
        times = [t for _c, t in self.send_from_threads([f"chat-{i}" for i in range(35)])]
        self.assertEqual(len(times), 35)
        self.assertLessEqual(sliding_max(times), 10)
        # Ten a second: the 11th, 21st and 31st each wait a full second after a message
        # before them has finished, and no longer than they must.
        self.assertGreaterEqual(max(times) - min(times), 2.99)
        self.assertLess(max(times) - min(times), 5.0)

    def test_slow_sends_cannot_bunch_up_past_the_cap(self) -> None:
        # The first eight are held 0.7 s between their slot and their receipt. Counted
        # only when granted (100 ms apart), the next ones would arrive together with
        # them: 14 in the second from 0.7 s on.
        received = self.send_from_threads(
            [f"chat-{i}" for i in range(30)], stall=lambda n, k: 0.7 if n < 8 else 0.0
        )
        self.assertEqual(len(received), 30)
        self.assertLessEqual(sliding_max([t for _c, t in received]), 10)

    def test_one_chat_gets_one_message_per_interval(self) -> None:
        start = time.monotonic()
        # The first message to chat-1 is slow on its way: the next is still 300 ms
        # behind its receipt, not behind its slot.
        received = self.send_from_threads(
            ["chat-1"] * 4 + ["chat-2"], stall=lambda n, k: 0.25 if k == 0 else 0.0
        )
        times = sorted(t for chat, t in received if chat == "chat-1")
        gaps = [b - a for a, b in itertools.pairwise(times)]
        self.assertEqual(len(gaps), 3)
        self.assertGreaterEqual(min(gaps), 0.299)
        # Another chat is not held up behind them.
        (other,) = [t for chat, t in received if chat == "chat-2"]
        self.assertLess(other - start, 0.8)

    @override_settings(TELEGRAM_RATE_PER_SECOND=0)
    def test_no_cap_when_lifted(self) -> None:
        start = time.monotonic()
        received = self.send_from_threads([f"chat-{i}" for i in range(50)])
        self.assertLess(max(t for _c, t in received) - start, 1.0)

    def test_a_slot_given_back_still_counts_for_a_second(self) -> None:
        with override_settings(TELEGRAM_RATE_PER_SECOND=1):
            with limiter.slot("chat-1"):
                pass
            finished = time.monotonic()
            with limiter.slot("chat-2"):
                second = time.monotonic()
        self.assertGreaterEqual(second - finished, 0.99)

    @override_settings(REDIS_URL="")
    def test_the_same_rule_in_one_process_without_redis(self) -> None:
        received = self.send_from_threads(
            [f"chat-{i}" for i in range(25)], stall=lambda n, k: 0.7 if n < 8 else 0.0
        )
        times = [t for _c, t in received]
        self.assertLessEqual(sliding_max(times), 10)
        self.assertGreater(max(times) - min(times), 1.0)
