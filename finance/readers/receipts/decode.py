"""QR codes in a photo: zxing-cpp, then the tries that rescue badly taken photos.

The first read is zxing-cpp's own (QR Model 2 only: fiscal receipts print nothing else).
It also locates symbols it could not decode. When it reads nothing wanted, the rescue
tries run in `RESCUES` order until one does: first the symbol tries, on each located
symbol cut out and squared up (a millisecond or so each), then each whole-photo try,
followed by the symbol tries on the symbols it newly located. Which tries are kept, and
their order, was measured on `bench/receipts.py`'s corpus (see `SYMBOL_TRIES`).
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import zxingcpp
from PIL import Image, ImageFilter

QR = zxingcpp.BarcodeFormat.QRCodeModel2
# The photo is read at most this big: larger photos are shrunk first. The tries cost in
# proportion to the pixels (x2 of a 12-megapixel photo is 48 megapixels), and a receipt's
# QR in a photo of the receipt has modules of several pixels at this size.
WORKING_SIDE = 2000

Quad = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Found:
    """A QR symbol zxing-cpp located but could not decode: where, and how many modules."""

    quad: Quad  # top-left, top-right, bottom-right, bottom-left, in `Scene.grey` pixels
    modules: int


def _read(image: Image.Image, **options: object) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=QR, **options)  # type: ignore[arg-type]


@dataclass
class Scene:
    """One photo being read, and what its tries found so far."""

    grey: Image.Image
    texts: list[str] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    _squares: dict[Found, Image.Image] = field(default_factory=dict)
    _done: set[tuple[str, Found]] = field(default_factory=set)

    @classmethod
    def first_read(cls, image: Image.Image) -> "Scene":
        grey = image.convert("L")
        if max(grey.size) > WORKING_SIDE:
            grey.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BOX)
        scene = cls(grey)
        scene.locate(grey, 1.0)
        return scene

    def locate(self, image: Image.Image, scale: float, **options: object) -> list[str]:
        """Read `image` (the photo `scale` times as big); keep the symbols it could not decode."""
        texts = []
        for barcode in _read(image, return_errors=True, **options):
            if barcode.valid:
                texts.append(barcode.text)
                continue
            found = _located(barcode, scale)
            if found and not any(_same(found, f) for f in self.found):
                self.found.append(found)
        self.texts += texts
        return texts

    def square(self, found: Found) -> Image.Image:
        """The symbol alone, square and upright, `_PIXELS_PER_MODULE` a module."""
        if found not in self._squares:
            self._squares[found] = _rectify(self.grey, found)
        return self._squares[found]

    def symbols(self, attempt: str) -> list[Found]:
        """The located symbols that `attempt` has not yet tried, marked as tried."""
        fresh = [f for f in self.found[:_MAX_SYMBOLS] if (attempt, f) not in self._done]
        self._done.update((attempt, f) for f in fresh)
        return fresh


_MAX_SYMBOLS = 4  # a receipt has one QR; zxing-cpp may locate it several times


def _same(a: "Found", b: "Found") -> bool:
    (ax, ay), (bx, by) = _centre(a.quad), _centre(b.quad)
    return a.modules == b.modules and math.hypot(ax - bx, ay - by) < 0.05 * _width(a.quad)


def _centre(quad: Quad) -> tuple[float, float]:
    return sum(x for x, _ in quad) / 4, sum(y for _, y in quad) / 4


def _width(quad: Quad) -> float:
    return max(math.dist(quad[0], quad[1]), math.dist(quad[0], quad[3]))


def _located(barcode: zxingcpp.Barcode, scale: float) -> Found | None:
    p = barcode.position
    corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    quad = tuple((c.x / scale, c.y / scale) for c in corners)
    extra = barcode.extra if isinstance(barcode.extra, dict) else {}
    version = str(extra.get("Version", ""))
    if not version.isdigit() or _width(quad) < 20 or not _convex(quad):
        return None
    return Found(quad, 17 + 4 * int(version))


def _convex(quad: Quad) -> bool:
    """Whether the corners turn one way all round (so that a homography maps a square on them)."""
    turns = []
    for k in range(4):
        (ax, ay), (bx, by), (cx, cy) = quad[k], quad[(k + 1) % 4], quad[(k + 2) % 4]
        turns.append((bx - ax) * (cy - by) - (by - ay) * (cx - bx))
    return all(t > 0 for t in turns) or all(t < 0 for t in turns)


def _scale(image: Image.Image, factor: float) -> Image.Image:
    size = (round(image.width * factor), round(image.height * factor))
    method = Image.Resampling.BICUBIC if factor > 1 else Image.Resampling.BOX
    return image.resize(size, method)


def _texts(barcodes: Iterable[zxingcpp.Barcode]) -> list[str]:
    return [b.text for b in barcodes if b.valid]


# ---------------------------------------------------------------- rectifying a symbol

_PIXELS_PER_MODULE = 5
_QUIET = 4  # modules of margin around the symbol


def _homography(points: Quad, quad: Quad) -> np.ndarray:
    """The 3x3 matrix taking each of `points` to the matching corner of `quad`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(points, quad, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    return np.append(h, 1.0).reshape(3, 3)


def _square(found: Found) -> tuple[int, float, Quad]:
    side = found.modules * _PIXELS_PER_MODULE
    margin = _QUIET * _PIXELS_PER_MODULE
    corners = (
        (margin, margin),
        (margin + side, margin),
        (margin + side, margin + side),
        (margin, margin + side),
    )
    return side + 2 * margin, side, tuple((float(x), float(y)) for x, y in corners)


def _rectify(grey: Image.Image, found: Found) -> Image.Image:
    size, _, corners = _square(found)
    h = _homography(corners, found.quad)
    return grey.transform(
        (size, size), Image.Transform.PERSPECTIVE, tuple(h.flatten()[:8]),
        Image.Resampling.BICUBIC, fillcolor=255,
    )  # fmt: skip


def _bent(grey: Image.Image, found: Found, axis: int, towards: int, amount: float) -> Image.Image:
    """The symbol rectified as if bowed: displaced by `amount` modules, quadratic along `axis`.

    A curled receipt is a cylinder seen at an angle: along the axis it curls about, print
    moves quadratically with the distance, which no perspective (zxing-cpp's model) undoes.
    """
    size, side, corners = _square(found)
    h = _homography(corners, found.quad)
    step = 2 * _PIXELS_PER_MODULE
    ticks = np.arange(0, size + step, step, dtype=np.float64)
    x, y = np.meshgrid(ticks, ticks)
    distance = ((x, y)[axis] - size / 2) / (side / 2)
    shift = amount * _PIXELS_PER_MODULE * (distance**2 - 1 / 3)
    if towards == 0:
        x = x + shift
    else:
        y = y + shift
    w = h[2, 0] * x + h[2, 1] * y + 1
    u = (h[0, 0] * x + h[0, 1] * y + h[0, 2]) / w
    v = (h[1, 0] * x + h[1, 1] * y + h[1, 2]) / w
    return grey.transform(
        (size, size),
        Image.Transform.MESH,
        _cells(ticks, u, v),
        Image.Resampling.BICUBIC,
        fillcolor=255,
    )


def _cells(
    ticks: np.ndarray, u: np.ndarray, v: np.ndarray
) -> list[tuple[tuple[int, int, int, int], tuple[float, ...]]]:
    """Pillow's MESH: each grid cell of the output and the quad of the input it shows."""
    nw, sw = (u[:-1, :-1], v[:-1, :-1]), (u[1:, :-1], v[1:, :-1])
    se, ne = (u[1:, 1:], v[1:, 1:]), (u[:-1, 1:], v[:-1, 1:])
    corners = np.stack([*nw, *sw, *se, *ne], axis=-1).reshape(-1, 8).tolist()
    t = ticks.astype(int).tolist()
    boxes = [(t[i], t[j], t[i + 1], t[j + 1]) for j in range(len(t) - 1) for i in range(len(t) - 1)]
    return list(zip(boxes, map(tuple, corners), strict=True))


# ---------------------------------------------------------------- the tries

# A try returns the texts it read, or None when it had nothing to work on (a symbol try
# with no symbol located that it has not tried yet).
Try = Callable[[Scene], list[str] | None]


def _whole(make: Callable[[Image.Image], Image.Image], scale: float = 1.0) -> Try:
    """A try on the whole photo made over by `make` (`scale` times its size); it also
    locates symbols for the symbol tries that follow it."""
    return lambda scene: scene.locate(make(scene.grey), scale, try_invert=False)


def _symbol(name: str, make: Callable[[Scene, Found], Iterable[Image.Image]]) -> Try:
    """A try on each symbol located so far and not yet tried this way."""

    def attempt(scene: Scene) -> list[str] | None:
        fresh = scene.symbols(name)
        if not fresh:
            return None
        for found in fresh:
            for image in make(scene, found):
                options = {"try_downscale": False, "try_invert": False}
                texts = _texts(_read(image, **options))
                if texts:
                    scene.texts += texts
                    return texts
        return []

    return attempt


def _gamma(image: Image.Image, gamma: float) -> Image.Image:
    return image.point([round(255 * (i / 255) ** gamma) for i in range(256)])


def _sharpened(image: Image.Image, radius: float, percent: int) -> Image.Image:
    return image.filter(ImageFilter.UnsharpMask(radius, percent, 0))


def _deblurred(image: Image.Image, sigma: float, noise: float = 0.01) -> Image.Image:
    """Undo a Gaussian blur of `sigma` pixels: a Wiener filter, `noise` its noise-to-signal."""
    pixels = np.asarray(image, dtype=np.float32)
    fy = np.fft.fftfreq(pixels.shape[0]).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(pixels.shape[1]).astype(np.float32)[None, :]
    blur = np.exp(-2 * np.pi**2 * sigma**2 * (fx**2 + fy**2))
    sharp = np.fft.irfft2(np.fft.rfft2(pixels) * (blur / (blur**2 + noise)), s=pixels.shape)
    return Image.fromarray(sharp.clip(0, 255).astype(np.uint8))


def _bows(amount: float) -> list[tuple[int, int, float]]:
    """Each way a symbol may be bowed: along either axis, displaced along either, either sign."""
    return [
        (axis, towards, sign * amount) for axis in (0, 1) for towards in (0, 1) for sign in (1, -1)
    ]


# Chosen on the corpus of bench/receipts.py (seed 21): on photos 0-419, again and again,
# the try that read the most of the photos still unread per millisecond of CPU; kept are
# those that read at least two more, or one for under 2 ms. Dropped: a global-histogram
# binarizer, lighter (gamma 0.5), a stretched histogram with a fixed threshold, light
# flattened (divided by a dilated blur), x0.5 and x0.7, a median filter, unsharp masks
# and x1.5 then sharpened on the whole photo, Wiener filters of 2 and 3 pixels on it: at
# most one more photo each, for 3 to 70 ms. Photos 420-839 confirmed the choice (94.8 %
# read, 77.1 % by plain zxing-cpp), and so did 420 photos of seed 7 (92.9 %, 75.2 %).
# Below, what each read on all 840 photos at its place (the first read reads 648 of them):
# photos read / photos it ran on, and its mean CPU time.
SYMBOL_TRIES: dict[str, Try] = {
    # A symbol zxing-cpp located but could not decode, squared up alone: 26 / 108, 2.4 ms.
    "symbol": _symbol("symbol", lambda s, f: [s.square(f)]),
    # Glare and faded print: 4 / 82, 0.4 ms.
    "symbol darker": _symbol("symbol darker", lambda s, f: [_gamma(s.square(f), 2.2)]),
    # Blur: 18 / 78, 1.2 ms; 6 / 60, 2.8 ms; 3 / 54, 1.2 ms.
    "symbol sharpened": _symbol("symbol sharpened", lambda s, f: [_sharpened(s.square(f), 3, 200)]),
    "symbol deblurred": _symbol(
        "symbol deblurred", lambda s, f: (_deblurred(s.square(f), sigma) for sigma in (2.0, 3.0))
    ),
    "symbol sharpened hard": _symbol(
        "symbol sharpened hard", lambda s, f: [_sharpened(s.square(f), 6, 300)]
    ),
    # A curled sheet: 40 / 51, 23 ms; 4 / 11, 31 ms.
    "symbol bowed": _symbol(
        "symbol bowed", lambda s, f: (_bent(s.grey, f, *bow) for bow in _bows(0.5))
    ),
    "symbol bowed more": _symbol(
        "symbol bowed more", lambda s, f: (_bent(s.grey, f, *bow) for bow in _bows(1.0))
    ),
}
WHOLE_TRIES: dict[str, Try] = {
    # Glare and faded print: 5 / 91, 2.9 ms, and 1 more through its symbols.
    "darker": _whole(lambda g: _gamma(g, 2.2)),
    # A QR far away (under 3 pixels a module), and the blurred: 18 / 85, 24 ms, and 10
    # more by the symbol tries on the symbols it located.
    "x1.5": _whole(lambda g: _scale(g, 1.5), 1.5),
    # Blur: 9 / 57, 34 ms, and 2 more through its symbols.
    "deblurred": _whole(lambda g: _deblurred(g, 4.5)),
    # 2 / 46, 37 ms, and 1 more through its symbols.
    "x2": _whole(lambda g: _scale(g, 2.0), 2.0),
}
TRIES: dict[str, Try] = SYMBOL_TRIES | WHOLE_TRIES
# The symbol tries first (they cost a millisecond or so); then each whole-photo try, and
# the symbol tries again on the symbols it located.
RESCUES: list[str] = list(SYMBOL_TRIES) + [
    name for whole in WHOLE_TRIES for name in (whole, *SYMBOL_TRIES)
]


@dataclass(frozen=True)
class Reading:
    texts: tuple[str, ...]  # every QR text read, the wanted ones first
    tries: tuple[str, ...]  # the rescue tries that ran, in order: () when the first read did


def read_qr(
    image: Image.Image,
    *,
    wanted: Callable[[str], bool] = lambda text: True,
    tries: Iterable[str] | None = None,
) -> Reading:
    """Read a photo's QR codes, stopping at the first try that reads a wanted one.

    Every text read is kept, so that a caller can tell a photo of some other QR code
    from a photo of none. `tries` replaces `RESCUES`, to measure another order.
    """
    scene = Scene.first_read(image)
    done: list[str] = []
    for name in RESCUES if tries is None else tries:
        if any(wanted(t) for t in scene.texts):
            break
        if TRIES[name](scene) is not None:
            done.append(name)
    texts = sorted(dict.fromkeys(scene.texts), key=lambda t: not wanted(t))
    return Reading(tuple(texts), tuple(done))


def read_qr_texts(
    image: Image.Image, *, wanted: Callable[[str], bool] = lambda text: True
) -> list[str]:
    """The texts of a photo's QR codes, the wanted ones first (see `read_qr`)."""
    return list(read_qr(image, wanted=wanted).texts)
