"""Bytes to an upright image: JPEG, PNG, WebP or HEIC, within size limits, EXIF honoured."""

import io
import math
import warnings

import numpy as np
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from finance.readers.receipts.errors import FileTooLarge, NotAnImage, TooManyPixels

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# A 48-megapixel phone's full-size photo (8064 x 6048) passes; a decompression bomb, whose
# few kilobytes claim gigapixels, is refused from its header before any pixel is decoded.
MAX_IMAGE_PIXELS = 50_000_000
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")

pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
# Pillow's own guard for the whole process: it warns past the limit and refuses at twice
# it; the warning is made an error so that every read in Kopilka refuses past the limit.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

# What a damaged or lying file makes Pillow's decoders raise.
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError)


def load_image(data: bytes, *, max_side: int | None = None) -> Image.Image:
    """Decode an image the right way up, in mode `RGB` or `L`, transparency on white.

    With `max_side`, a JPEG larger than that on both sides may be decoded at a half, a
    quarter or an eighth of its size, down to no less than `max_side` (a 48-megapixel
    camera photo then decodes in a fifth of the time); other formats decode whole.
    Raise FileTooLarge past `MAX_IMAGE_BYTES`, TooManyPixels past `MAX_IMAGE_PIXELS`,
    NotAnImage for anything else that is not a readable JPEG, PNG, WebP or HEIC.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise FileTooLarge(
            f"The file has {len(data)} bytes; the limit is {MAX_IMAGE_BYTES}.",
            limit=str(MAX_IMAGE_BYTES),
        )
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
        _check_pixels(image.width, image.height)
        if max_side is not None and image.format == "JPEG":
            shrink = max_side / max(image.size)
            image.draft(None, (math.ceil(image.width * shrink), math.ceil(image.height * shrink)))
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except _DECODE_ERRORS as error:
        raise NotAnImage(f"Not a JPEG, PNG, WebP or HEIC image: {error}") from None
    return _flatten(upright)


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> TooManyPixels:
    return TooManyPixels(
        f"The image has more than {MAX_IMAGE_PIXELS} pixels.", limit=str(MAX_IMAGE_PIXELS)
    )


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if image.mode.startswith("I"):  # 16-bit greys: keep the high byte
        return Image.fromarray(
            (np.asarray(image, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8)
        )
    if image.mode in ("1", "F"):
        return image.convert("L")
    return image.convert("RGB")
