"""How many badly taken receipt photos are read, and how fast: plain zxing-cpp beside ours.

    .venv/bin/python bench/receipts.py [--count 840] [--start 0] [--seed 21]

Draws the photos of finance/tests/receipt_photos.py (made by code, nothing fetched:
photo k is of difficulty k mod 7) and reads each from its JPEG bytes twice: with plain
`zxingcpp.read_barcodes` and its default options, and with `read_receipt_photo`'s reading
(Pillow, zxing-cpp, then the rescue tries). Prints the share read per difficulty and
overall, which tries rescued how many, and the median and p90 time per photo on one core
(the process is pinned to one CPU; CPU time, so that other work on the machine does not
count, with the wall-clock time beside it). A photo counts as read when its QR's text is
among those read; a text read that is not the one printed is counted as an error.
"""

import argparse
import io
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402

from finance.readers.receipts import decode, load_image, looks_fiscal, read_qr  # noqa: E402
from finance.tests import receipt_photos  # noqa: E402

Reader = Callable[[bytes], tuple[list[str], tuple[str, ...]]]


def plain(data: bytes) -> tuple[list[str], tuple[str, ...]]:
    image = Image.open(io.BytesIO(data))
    return [b.text for b in zxingcpp.read_barcodes(image)], ()


def ours(data: bytes) -> tuple[list[str], tuple[str, ...]]:
    image = load_image(data, max_side=decode.WORKING_SIDE)
    reading = read_qr(image, wanted=looks_fiscal)
    return list(reading.texts), reading.tries


CALLS: list[float] = []  # the CPU seconds of each try run on the photo being read


def timing(attempt: decode.Try) -> decode.Try:
    def timed(scene: decode.Scene) -> list[str] | None:
        ticked = time.process_time()
        texts = attempt(scene)
        if texts is not None:
            CALLS.append(time.process_time() - ticked)
        return texts

    return timed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=840)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--seed", type=int, default=receipt_photos.SEED)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    for name, attempt in list(decode.TRIES.items()):
        decode.TRIES[name] = timing(attempt)

    made = time.process_time()
    photos = list(receipt_photos.photos(args.count, seed=args.seed, start=args.start))
    made = time.process_time() - made
    readers: dict[str, Reader] = {"plain zxing-cpp": plain, "ours": ours}
    read: dict[str, Counter[str]] = {name: Counter() for name in readers}
    wrong: Counter[str] = Counter()
    cpu: dict[str, list[float]] = {name: [] for name in readers}
    wall: dict[str, list[float]] = {name: [] for name in readers}
    rescued_by: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    cost: dict[str, float] = {}
    for name, reader in readers.items():
        reader(photos[0].jpeg)  # warm: imports, Pillow's plugins, zxing-cpp's tables
        for shot in photos:
            started, ticked = time.perf_counter(), time.process_time()
            texts, tries = reader(shot.jpeg)
            cpu[name].append(time.process_time() - ticked)
            wall[name].append(time.perf_counter() - started)
            if shot.payload in texts:
                read[name][shot.difficulty] += 1
            wrong[name] += any(t != shot.payload for t in texts)
            labels = staged(tries)
            tried.update(labels)
            for label, spent in zip(labels, spent_on(tries), strict=True):
                cost[label] = cost.get(label, 0.0) + spent
            if labels and shot.payload in texts:
                rescued_by[labels[-1]] += 1

    total = Counter(p.difficulty for p in photos)
    print(f"{len(photos)} photos (seed {args.seed}, from {args.start}), made in {made:.1f} s CPU")
    print()
    print(f"{'difficulty':12} {'photos':>6} " + " ".join(f"{name:>16}" for name in readers))
    for difficulty in receipt_photos.DIFFICULTIES:
        if total[difficulty]:
            shares = [read[name][difficulty] / total[difficulty] for name in readers]
            print(
                f"{difficulty:12} {total[difficulty]:6d} " + " ".join(f"{s:16.1%}" for s in shares)
            )
    overall = [sum(read[name].values()) / len(photos) for name in readers]
    print(f"{'overall':12} {len(photos):6d} " + " ".join(f"{s:16.1%}" for s in overall))
    print(f"{'wrong texts':12} {'':6} " + " ".join(f"{wrong[name]:16d}" for name in readers))
    print()
    print("time per photo on one core, from the JPEG's bytes (CPU; wall in brackets)")
    for name in readers:
        print(
            f"  {name:16} median {statistics.median(cpu[name]) * 1000:6.1f} ms"
            f" ({statistics.median(wall[name]) * 1000:.1f})"
            f"   p90 {percentile(cpu[name], 0.9) * 1000:6.1f} ms"
            f" ({percentile(wall[name], 0.9) * 1000:.1f})"
            f"   max {max(cpu[name]) * 1000:6.1f} ms"
        )
    print()
    print("rescue tries, in order: photos each read / photos it ran on, and its mean CPU time")
    print("(a symbol try is named after the whole-photo try that located its symbols; after")
    print("one, those that read nothing are left out)")
    for label in staged(tuple(decode.RESCUES)):
        if tried[label] and (rescued_by[label] or "," not in label):
            mean = cost[label] / tried[label] * 1000
            print(f"  {label:36} {rescued_by[label]:4d} / {tried[label]:<4d} {mean:6.1f} ms")


def spent_on(tries: tuple[str, ...]) -> list[float]:
    """The CPU time of each of the photo's tries (forgotten for the next photo)."""
    spent = CALLS[-len(tries) :] if tries else []
    CALLS.clear()
    return spent


def staged(tries: tuple[str, ...]) -> list[str]:
    """Name each symbol try after the whole-photo try that located its symbols."""
    labels, stage = [], ""
    for name in tries:
        if name in decode.WHOLE_TRIES:
            stage = name
            labels.append(name)
        else:
            labels.append(f"{stage}, {name}" if stage else name)
    return labels


if __name__ == "__main__":
    main()
