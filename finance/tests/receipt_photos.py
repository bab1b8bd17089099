"""Badly taken photos of cash receipts, made by code: the corpus of the QR reader.

Each photo is drawn from its own seed (the corpus's seed and the photo's index), so any
subset is the same whatever else is drawn. A receipt's QR (segno, a fiscal payload as
cash registers print it) is printed on thermal paper with text around it, then
photographed: turned, tilted in perspective, curled, creased, lit unevenly or with glare,
out of focus or shaken, noisy, and saved as a messenger's JPEG (quality 35-85, 960-1600
px on the long side). Nothing is fetched and nothing is stored: the tests and
`bench/receipts.py` draw what they need.
"""

import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import segno
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SEED = 21
# Each class stresses one thing a phone does to a photo; `hard` two at once, a little milder.
DIFFICULTIES = ("plain", "far", "blur", "tilt", "light", "crumpled", "hard")

DOTS_PER_MM = 8  # a 203-dpi thermal printer: the paper is drawn one pixel per dot

Rng = np.random.Generator


@dataclass(frozen=True)
class Photo:
    index: int
    difficulty: str
    payload: str  # the QR's text, as encoded
    jpeg: bytes
    shot: "Shot"
    centre: tuple[float, float]  # where the QR's centre is in the photo, in pixels


@dataclass
class Shot:
    """How one photo is taken; ranges per difficulty in `_shot`."""

    module: float  # photo pixels per QR module, at the QR's centre
    angle: float  # degrees, the receipt's turn in the frame
    tilt: float  # perspective: the scale across the frame's long side varies by 1 + tilt
    curl: float  # the sheet's bow, in QR modules
    creases: int
    light: float  # 0..1: the depth of uneven light and shadow
    glare: float  # 0..1: how much a highlight washes out
    fade: float  # 0..1: thermal print faded towards the paper's grey
    blur: float  # gaussian sigma, in QR modules
    shake: float  # motion blur length, in QR modules
    noise: float  # sensor noise sigma, grey levels
    quality: int  # JPEG
    long_side: int


def photos(count: int, *, seed: int = SEED, start: int = 0) -> Iterator[Photo]:
    """Photos `start` .. `start + count - 1`; photo k is of difficulty k mod 7."""
    for index in range(start, start + count):
        yield photo(index, seed=seed)


def photo(index: int, *, seed: int = SEED) -> Photo:
    rng = np.random.default_rng([seed, index])
    difficulty = DIFFICULTIES[index % len(DIFFICULTIES)]
    payload = fiscal_payload(rng)
    shot = _shot(rng, difficulty)
    jpeg, centre = _take(rng, payload, shot)
    return Photo(index, difficulty, payload, jpeg, shot, centre)


def photo_of(payload: str, *, difficulty: str = "tilt", seed: int = SEED) -> bytes:
    """A photo of a receipt whose QR code holds `payload`, taken as `difficulty` says
    (the same every time): for the tests that send a receipt of their own through a door."""
    rng = np.random.default_rng([seed, DIFFICULTIES.index(difficulty), len(payload)])
    jpeg, _centre = _take(rng, payload, _shot(rng, difficulty))
    return jpeg


def fiscal_payload(rng: Rng) -> str:
    """A receipt's QR text: keys mostly in the usual order, seconds and whole-rouble totals
    (`s=1200`) now and then, 90 % purchases."""
    day = np.datetime64("2024-01-01") + int(rng.integers(0, 4 * 365))
    when = str(day).replace("-", "") + f"T{rng.integers(0, 24):02d}{rng.integers(0, 60):02d}"
    if rng.random() < 0.15:
        when += f"{rng.integers(0, 60):02d}"
    kopecks = int(min(rng.lognormal(math.log(90000), 1.2), 99_999_999)) + 1
    if rng.random() < 0.3:
        kopecks = max(100, kopecks // 100 * 100)
    fields = {
        "t": when,
        "s": str(Decimal(kopecks) / 100),
        "fn": str(rng.choice(["9280440300", "7281440500", "9960440300", "9282000100"]))
        + f"{rng.integers(0, 10**6):06d}",
        "i": str(rng.integers(1, 250_000)),
        "fp": str(rng.integers(10**8, 2**32)),
        "n": str(rng.choice([1, 2, 3, 4], p=[0.9, 0.07, 0.02, 0.01])),
    }
    keys = list(fields)
    if rng.random() < 0.1:
        rng.shuffle(keys)
    return "&".join(f"{k}={fields[k]}" for k in keys)


def _u(rng: Rng, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _shot(rng: Rng, difficulty: str) -> Shot:
    shot = Shot(
        module=_u(rng, 3.5, 8.0),
        angle=_u(rng, -25, 25) if rng.random() < 0.7 else _u(rng, 0, 360),
        tilt=_u(rng, 0.0, 0.3),
        curl=_u(rng, 0, 0.3),
        creases=0,
        light=_u(rng, 0, 0.3),
        glare=0.0,
        fade=_u(rng, 0, 0.3),
        blur=_u(rng, 0.0, 0.2),
        shake=0.0,
        noise=_u(rng, 1, 5),
        quality=int(rng.integers(35, 86)),
        long_side=int(rng.choice([960, 1040, 1280, 1280, 1280, 1440, 1600])),
    )
    hard = [str(d) for d in rng.choice(DIFFICULTIES[1:6], size=2, replace=False)]
    for stress in hard if difficulty == "hard" else [difficulty]:
        strength = 0.85 if difficulty == "hard" else 1.0
        _stress(rng, shot, stress, strength)
    return shot


def _stress(rng: Rng, shot: Shot, difficulty: str, strength: float) -> None:
    if difficulty == "far":
        shot.module = _u(rng, 1.4, 2.8) / strength**0.5
    elif difficulty == "blur":
        if rng.random() < 0.5:
            shot.blur = _u(rng, 0.3, 0.7) * strength
        else:
            shot.shake = _u(rng, 0.8, 2.2) * strength
    elif difficulty == "tilt":
        shot.tilt = _u(rng, 1.5, 4.0) * strength
        shot.angle = _u(rng, 0, 360)
    elif difficulty == "light":
        shot.light = _u(rng, 0.5, 0.95) * strength
        shot.glare = _u(rng, 0.5, 1.0) * strength
        shot.fade = _u(rng, 0.3, 0.85) * strength
    elif difficulty == "crumpled":
        shot.curl = _u(rng, 0.25, 1.1) * strength
        shot.creases = int(rng.integers(1, 4))


# ---------------------------------------------------------------- the paper

_WORDS = [
    "KASSOVYI CHEK", "PRIHOD", "OOO ROMASHKA", "Moskva, ul. Lesnaya, 7", "INN 7701234567",
    "Smena 112", "Kassir Ivanova A.", "Moloko 3,2% 1l", "Hleb borodinskii", "Syr gauda 200g",
    "Yabloki golden", "Kofe zernovoi 250g", "Paket maika", "Shokolad gorkii", "Voda 1,5l",
    "Banany 1kg", "Kartofel", "Sok apelsin 1l", "Yaitsa C1 10sht", "Tvorog 5%", "ITOG",
    "NDS 20%", "BEZNALICHNYMI", "FN 9280440300", "FD 64318", "FP 2918241905", "SNO: OSN",
    "12.50", "89.90", "129.00", "1 250.00", "349.99", "74.00", "2 199.00", "56.30", "410.00",
]  # fmt: skip
_LINE = 26


def _printed(text: str) -> Image.Image:
    """A line of print, drawn once per process (FreeType is the slow part of a receipt)."""
    if text not in _PRINTED:
        font = ImageFont.load_default(size=20)
        right = font.getbbox(text)[2]
        line = Image.new("L", (int(right) + 2, _LINE), 255)
        ImageDraw.Draw(line).text((0, 0), text, fill=0, font=font)
        _PRINTED[text] = line
    return _PRINTED[text]


_PRINTED: dict[str, Image.Image] = {}


def _paper(rng: Rng, payload: str, shot: Shot) -> tuple[Image.Image, tuple[float, float], int]:
    """The printed receipt (L), the QR's centre on it and the dots per module."""
    error = str(rng.choice(["l", "m", "m", "q"]))
    # A mask of its own: segno's search for the best one is 50 ms, and readers take any.
    qr = segno.make_qr(payload, error=error, boost_error=False, mask=int(rng.integers(0, 8)))
    dots = int(rng.integers(4, 8))  # per module
    matrix = np.array(qr.matrix, dtype=bool)
    side = matrix.shape[0] * dots
    width = int(rng.choice([58, 80])) * DOTS_PER_MM
    above, below = int(rng.integers(12, 26)), int(rng.integers(2, 6))
    top = 40 + above * _LINE
    height = top + side + 40 + below * _LINE + 60
    paper = Image.new("L", (width, height), 255)
    for row in range(above + below):
        y = 30 + row * _LINE if row < above else top + side + 30 + (row - above) * _LINE
        paper.paste(_printed(_WORDS[int(rng.integers(0, 27))]), (24, y))
        if rng.random() < 0.6:
            price = _printed(_WORDS[int(rng.integers(27, len(_WORDS)))])
            paper.paste(price, (width - 24 - price.width, y))
    left = (width - side) // 2 if rng.random() < 0.7 else 24
    canvas = np.asarray(paper).copy()
    canvas[top : top + side, left : left + side][np.kron(matrix, np.ones((dots, dots), bool))] = 0
    if rng.random() < 0.3:  # a worn print head leaves a dot column unprinted
        column = left + int(rng.integers(0, side))
        canvas[:, column : column + 1] = 255
    if shot.creases:
        _crease_shading(canvas, rng, shot.creases)
    ink = 20 + 150 * shot.fade
    white = 242 - 12 * shot.fade
    lut = np.linspace(ink, white, 256).astype(np.uint8)
    return Image.fromarray(lut[canvas]), (left + side / 2, top + side / 2), dots


def _crease_shading(canvas: np.ndarray, rng: Rng, count: int) -> None:
    """Each fold's line of shadow, and the side of it that faces away from the light."""
    height, width = canvas.shape
    # Drawn at half the size (shadows are soft), then enlarged.
    yy, xx = np.ogrid[0:height:2, 0:width:2]
    shade = np.ones((len(yy), xx.shape[1]), np.float32)
    for _ in range(count):
        a = _u(rng, 0, math.pi)
        distance = xx * math.cos(a) + yy * math.sin(a) - _u(rng, 0.2, 0.8) * (width + height) / 2
        shade *= 1 - 0.14 * np.exp(-(distance**2) / 18) - 0.07 * (distance > 0)
    light = (
        Image.fromarray(shade * 255).convert("L").resize((width, height), Image.Resampling.BILINEAR)
    )
    canvas[...] = (canvas * (np.asarray(light, dtype=np.float32) / 255)).astype(np.uint8)


# ---------------------------------------------------------------- the camera


def _homography(
    shot: Shot,
    rng: Rng,
    scale: float,
    centre: tuple[float, float],
    target: tuple[float, float],
    size: tuple[int, int],
) -> np.ndarray:
    """Paper dots to photo pixels: scale and turn about the QR, then the camera's tilt."""
    a = math.radians(shot.angle)
    cos, sin = math.cos(a) * scale, math.sin(a) * scale
    cx, cy = centre
    tx, ty = target
    similar = np.array(
        [[cos, -sin, tx - cos * cx + sin * cy], [sin, cos, ty - sin * cx - cos * cy], [0, 0, 1]]
    )
    # The phone is not held square to the table: along a direction `d`, the scale at one
    # end of the frame's long side is (1 + tilt) times the scale at the other.
    d = _u(rng, 0, 2 * math.pi)
    k = shot.tilt / (2 + shot.tilt) / (max(size) / 2)
    tilt = np.array([[1, 0, 0], [0, 1, 0], [k * math.cos(d), k * math.sin(d), 1.0]])
    there = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1.0]])
    here = np.array([[1, 0, -tx], [0, 1, -ty], [0, 0, 1.0]])
    return there @ tilt @ here @ similar  # type: ignore[no-any-return]


Warp = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
MeshCell = tuple[tuple[int, int, int, int], tuple[float, ...]]


def _bend(
    shot: Shot, rng: Rng, dots: float, centre: tuple[float, float], size: tuple[int, int]
) -> Warp:
    """Where each point of the flat sheet is seen once it is curled and creased."""
    pw, ph = size
    axis = 0 if rng.random() < 0.5 else 1
    towards = _u(rng, 0, 2 * math.pi)
    folds = []
    for _ in range(shot.creases):
        a = _u(rng, 0, math.pi)
        nx, ny = math.cos(a), math.sin(a)
        folds.append((nx, ny, _u(rng, 0.3, 0.7) * (nx * pw + ny * ph), _u(rng, 0.1, 0.5) * dots))

    def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # A curled sheet is a cylinder seen at an angle: along the axis it curls about (its
        # width or its length), print is displaced quadratically with the distance, towards
        # the camera's tilt or across it. `curl` is that displacement, in modules, at the
        # QR's edge from its centre; it levels off away from the QR (the sheet lies flat).
        distance = ((u - centre[0]) if axis == 0 else (v - centre[1])) / (18.5 * dots)
        bow = shot.curl * dots * distance**2 / (1 + (distance / 3) ** 2)
        du, dv = bow * math.cos(towards), bow * math.sin(towards)
        for nx, ny, offset, jump in folds:
            # A fold: the paper on one side of a line is shifted by a part of a module.
            side = np.tanh((u * nx + v * ny - offset) / (0.5 * dots))
            du, dv = du + jump * side * ny, dv - jump * side * nx
        return u + du, v + dv

    return warp


def _mesh(
    inverse: np.ndarray, warp: Warp, size: tuple[int, int], near: tuple[float, float, float, int]
) -> list[MeshCell]:
    """Pillow's MESH: photo cells and the paper quads they see, finer near the QR.

    Inside a cell the mapping is bilinear, so a perspective is only approximated: cells
    of four modules near the QR keep the error within a few hundredths of a module; far
    from it, 128-pixel cells only have to make the print look right. (Each cell costs
    Pillow some 60 µs of Python: a few hundred, not thousands.)
    """
    width, height = size
    cx, cy, reach, fine = near
    big = 128
    boxes = []
    for y in range(0, height, big):
        for x in range(0, width, big):
            if abs(x + big / 2 - cx) < reach + big / 2 and abs(y + big / 2 - cy) < reach + big / 2:
                boxes += [
                    (x + i, y + j, x + i + fine, y + j + fine)
                    for j in range(0, big, fine)
                    for i in range(0, big, fine)
                ]
            else:
                boxes.append((x, y, x + big, y + big))
    corners = np.array(boxes, dtype=np.float64)
    # NW, SW, SE, NE of every box, through the camera and the bend to the flat paper.
    xs = corners[:, [0, 0, 2, 2]]
    ys = corners[:, [1, 3, 3, 1]]
    w = inverse[2, 0] * xs + inverse[2, 1] * ys + inverse[2, 2]
    u = (inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]) / w
    v = (inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]) / w
    u, v = warp(u, v)
    quads = np.stack([u, v], axis=-1).reshape(-1, 8).tolist()
    return list(zip(boxes, map(tuple, quads), strict=True))


def _field(values: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """A smooth field drawn small (0..255), enlarged to the photo."""
    small = Image.fromarray(values.clip(0, 255).astype(np.uint8))
    return small.resize(size, Image.Resampling.BILINEAR)


def _noise_tile() -> np.ndarray:
    if not _NOISE:
        _NOISE.append(
            np.random.default_rng(SEED).normal(0, 1, size=(1700, 1700)).astype(np.float32)
        )
    return _NOISE[0]


_NOISE: list[np.ndarray] = []


def _take(rng: Rng, payload: str, shot: Shot) -> tuple[bytes, tuple[float, float]]:
    paper, centre, dots = _paper(rng, payload, shot)
    long_side = shot.long_side
    short_side = long_side * 3 // 4
    size = (short_side, long_side) if rng.random() < 0.75 else (long_side, short_side)
    scale = shot.module / dots
    # Shrink the paper to about the photo's scale first, averaging as a lens does; the
    # mesh then only turns, tilts and bends it.
    pre = min(1.0, scale * 1.15)
    if pre < 1.0:
        paper = paper.resize(
            (round(paper.width * pre), round(paper.height * pre)), Image.Resampling.BOX
        )
        centre = (centre[0] * pre, centre[1] * pre)
        scale /= pre
    target = (size[0] * _u(rng, 0.3, 0.7), size[1] * _u(rng, 0.3, 0.7))
    inverse = np.linalg.inv(_homography(shot, rng, scale, centre, target, size))
    inverse /= inverse[2, 2]

    sheet = Image.merge("LA", [paper, Image.new("L", paper.size, 255)])
    warp = _bend(shot, rng, dots * pre, centre, paper.size)
    reach = shot.module * 37 * 0.8  # the QR's half-diagonal, and some
    fine = 16 if shot.module < 4 else 32
    cells = _mesh(inverse, warp, size, (*target, reach, fine))
    seen = sheet.transform(size, Image.Transform.MESH, cells, Image.Resampling.BILINEAR)
    table = _field(rng.normal(rng.uniform(40, 190), 20, size=(6, 8)), size)
    image = Image.composite(seen.getchannel("L"), table, seen.getchannel("A"))

    image = _light(image, rng, shot, target)
    image = _optics(image, shot)
    noise = _noise_tile()
    y0, x0 = (
        int(rng.integers(0, noise.shape[0] - size[1])),
        int(rng.integers(0, noise.shape[1] - size[0])),
    )
    pixels = (
        np.asarray(image, dtype=np.float32)
        + shot.noise * noise[y0 : y0 + size[1], x0 : x0 + size[0]]
    )
    grey = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    tint = rng.uniform(0.9, 1.05, size=3)
    coloured = Image.merge(
        "RGB", [grey.point(np.minimum(255, np.arange(256) * t).astype(int).tolist()) for t in tint]
    )
    buffer = io.BytesIO()
    coloured.save(buffer, "JPEG", quality=shot.quality)
    return buffer.getvalue(), target


def _light(image: Image.Image, rng: Rng, shot: Shot, target: tuple[float, float]) -> Image.Image:
    width, height = image.size
    # Light is smooth: its fields are drawn at an eighth of the size, then enlarged.
    yy, xx = np.mgrid[0 : height // 8 + 1, 0 : width // 8 + 1].astype(np.float32) * 8
    if shot.light:
        # Light falling off across the frame, and a soft shadow (the phone's, a hand's).
        a = _u(rng, 0, 2 * math.pi)
        ramp = xx * math.cos(a) + yy * math.sin(a)
        ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
        gain = 1 - shot.light * 0.6 * ramp
        b = _u(rng, 0, 2 * math.pi)
        edge = (xx - target[0]) * math.cos(b) + (yy - target[1]) * math.sin(b) - _u(rng, -60, 60)
        gain *= 1 - shot.light * 0.45 / (1 + np.exp(np.clip(-edge / _u(rng, 8, 40), -50, 50)))
        image = ImageChops.multiply(image, _field(gain * 255, image.size))
    if shot.glare:
        # A highlight near the QR, washing the print out towards white.
        gx = target[0] + _u(rng, -1, 1) * shot.module * 15
        gy = target[1] + _u(rng, -1, 1) * shot.module * 15
        radius = shot.module * _u(rng, 6, 16)
        blob = shot.glare * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))
        white = Image.new("L", image.size, 255)
        image = Image.composite(white, image, _field(blob * 255, image.size))
    return image


def _optics(image: Image.Image, shot: Shot) -> Image.Image:
    sigma = shot.blur * shot.module
    if sigma > 2:
        # A wide blur costs as much as its radius: blurred at half the size, then enlarged.
        half = image.reduce(2).filter(ImageFilter.GaussianBlur(sigma / 2))
        image = half.resize(image.size, Image.Resampling.BILINEAR)
    elif sigma > 0.3:
        image = image.filter(ImageFilter.GaussianBlur(sigma))
    length = shot.shake * shot.module
    if length >= 1.5:
        # Motion blur: the average of the image shifted along a line.
        pixels = np.asarray(image, dtype=np.uint16)
        steps = max(2, round(length))
        a = math.radians(shot.angle * 1.7 + 20)
        total = np.zeros_like(pixels)
        for s in range(steps):
            t = s - (steps - 1) / 2
            total += np.roll(pixels, (round(t * math.sin(a)), round(t * math.cos(a))), axis=(0, 1))
        image = Image.fromarray((total // steps).astype(np.uint8))
    return image
