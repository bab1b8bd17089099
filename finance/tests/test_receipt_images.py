"""Bytes to an upright image, the refusals with their codes, and a photo to its receipt."""

import io
import struct
import zlib

import segno
from django.test import SimpleTestCase
from PIL import Image

from finance.readers.receipts import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    FileTooLarge,
    InvalidFiscalQR,
    NotAnImage,
    NotFiscalQR,
    QRNotFound,
    ReceiptKind,
    TooManyPixels,
    load_image,
    read_receipt_photo,
)
from finance.tests.receipt_photos import photo

RECEIPT = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
RED, BLUE = (255, 0, 0), (0, 0, 255)


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def two_halves() -> Image.Image:
    """80 x 40: red on the left, blue on the right."""
    image = Image.new("RGB", (80, 40), BLUE)
    image.paste(RED, (0, 0, 40, 40))
    return image


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size and carries next to no pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greys
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def qr_image(*texts: str, scale: int = 8) -> Image.Image:
    codes = [segno.make_qr(t, error="m") for t in texts]
    images = [Image.open(io.BytesIO(_png(c, scale))).convert("L") for c in codes]
    sheet = Image.new(
        "L", (sum(i.width for i in images) + 40, max(i.height for i in images) + 40), 255
    )
    x = 20
    for image in images:
        sheet.paste(image, (x, 20))
        x += image.width
    return sheet


def _png(code: segno.QRCode, scale: int) -> bytes:
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


class LoadImageTestCase(SimpleTestCase):
    def test_it_reads_jpeg_png_webp_and_heic(self) -> None:
        for format in ("JPEG", "PNG", "WEBP", "HEIF"):
            with self.subTest(format):
                image = load_image(encoded(two_halves(), format, quality=95))
                self.assertEqual(image.size, (80, 40))
                self.assertEqual(image.mode, "RGB")
                red, blue = image.getpixel((10, 20)), image.getpixel((70, 20))
                self.assertGreater(red[0], 200)  # type: ignore[index]
                self.assertLess(red[2], 60)  # type: ignore[index]
                self.assertGreater(blue[2], 200)  # type: ignore[index]

    def test_it_turns_a_photo_the_way_its_exif_says(self) -> None:
        # Orientation 6: the camera was turned; the picture is shown turned 90° clockwise,
        # so its left (red) half ends on top.
        exif = Image.Exif()
        exif[0x0112] = 6
        for format in ("JPEG", "WEBP", "PNG"):
            with self.subTest(format):
                image = load_image(encoded(two_halves(), format, exif=exif, quality=95))
                self.assertEqual(image.size, (40, 80))
                self.assertGreater(image.getpixel((20, 10))[0], 200)  # type: ignore[index]
                self.assertGreater(image.getpixel((20, 70))[2], 200)  # type: ignore[index]
                self.assertNotIn(0x0112, image.getexif())

    def test_it_turns_a_heic_photo_the_way_the_iphone_took_it(self) -> None:
        exif = Image.Exif()
        exif[0x0112] = 8  # shown turned 90° anticlockwise: the left (red) half ends at the bottom
        # HEIF turns a picture with its own `irot` box, as iPhones write it (EXIF's tag is
        # only a copy); pillow-heif writes that box from EXIF given as bytes.
        image = load_image(encoded(two_halves(), "HEIF", exif=exif.tobytes(), quality=95))
        self.assertEqual(image.size, (40, 80))
        self.assertGreater(image.getpixel((20, 70))[0], 200)  # type: ignore[index]
        self.assertGreater(image.getpixel((20, 10))[2], 200)  # type: ignore[index]

    def test_it_decodes_a_large_jpeg_smaller_when_asked(self) -> None:
        large = encoded(Image.new("RGB", (4000, 3000), RED), "JPEG")
        self.assertEqual(load_image(large).size, (4000, 3000))
        self.assertEqual(load_image(large, max_side=1900).size, (2000, 1500))
        self.assertEqual(load_image(large, max_side=1000).size, (1000, 750))
        self.assertEqual(load_image(large, max_side=999).size, (1000, 750))
        png = encoded(Image.new("RGB", (400, 300), RED), "PNG")
        self.assertEqual(load_image(png, max_side=100).size, (400, 300))

    def test_it_puts_transparency_on_white_and_keeps_greys(self) -> None:
        clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
        self.assertEqual(load_image(encoded(clear, "PNG")).getpixel((5, 5)), (255, 255, 255))
        deep = Image.new("I;16", (10, 10), 0x8000)
        grey = load_image(encoded(deep, "PNG"))
        self.assertEqual((grey.mode, grey.getpixel((5, 5))), ("L", 0x80))
        self.assertEqual(
            load_image(encoded(Image.new("L", (9, 9), 77), "PNG")).getpixel((1, 1)), 77
        )

    def test_it_refuses_what_is_not_an_image(self) -> None:
        jpeg = encoded(two_halves(), "JPEG")
        cases = {
            "empty": b"",
            "text": "Кофе 250".encode(),
            "pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF",
            "gif": encoded(two_halves(), "GIF"),
            "bmp": encoded(two_halves(), "BMP"),
            "eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
            "truncated jpeg": jpeg[: len(jpeg) // 2],
            "jpeg header only": jpeg[:20],
        }
        for name, data in cases.items():
            with self.subTest(name):
                with self.assertRaises(NotAnImage) as caught:
                    load_image(data)
                self.assertEqual(caught.exception.code, "not_an_image")

    def test_it_refuses_a_decompression_bomb_from_its_header(self) -> None:
        side = (
            int((2 * MAX_IMAGE_PIXELS) ** 0.5) + 1
        )  # past Pillow's own refusal, at twice the limit
        for width, height in ((side, side), (MAX_IMAGE_PIXELS // 1000 + 1, 1000), (60_000, 60_000)):
            with self.subTest(width=width, height=height):
                bomb = png_header_only(width, height)
                self.assertLess(len(bomb), 200)
                with self.assertRaises(TooManyPixels) as caught:
                    load_image(bomb)
                self.assertEqual(caught.exception.code, "too_many_pixels")
                self.assertEqual(caught.exception.params, {"limit": str(MAX_IMAGE_PIXELS)})

    def test_it_refuses_a_file_over_five_megabytes_before_decoding_it(self) -> None:
        jpeg = encoded(two_halves(), "JPEG")
        padded = jpeg + b"\0" * (MAX_IMAGE_BYTES - len(jpeg))  # readers stop at the end marker
        self.assertEqual(MAX_IMAGE_BYTES, 5 * 1024 * 1024)
        self.assertEqual(load_image(padded).size, (80, 40))
        for data in (padded + b"\0", b"\0" * (MAX_IMAGE_BYTES + 1)):
            with self.assertRaises(FileTooLarge) as caught:
                load_image(data)
            self.assertEqual(caught.exception.code, "file_too_large")
            self.assertEqual(caught.exception.params, {"limit": str(MAX_IMAGE_BYTES)})


class ReadReceiptPhotoTestCase(SimpleTestCase):
    def test_it_reads_a_receipt(self) -> None:
        receipt = read_receipt_photo(encoded(qr_image(RECEIPT), "PNG"))
        self.assertEqual(receipt.text, RECEIPT)
        self.assertEqual(receipt.dedup_key, "9282000100072197:64318:2918241905")

    def test_it_reads_a_badly_taken_photo(self) -> None:
        shot = photo(5)  # a curled, creased receipt
        self.assertEqual(shot.difficulty, "crumpled")
        receipt = read_receipt_photo(shot.jpeg)
        self.assertEqual(receipt.text, shot.payload)

    def test_it_reads_a_refund_from_a_heic_photo(self) -> None:
        refund = RECEIPT.replace("n=1", "n=2")
        receipt = read_receipt_photo(encoded(qr_image(refund).convert("RGB"), "HEIF", quality=80))
        self.assertIs(receipt.kind, ReceiptKind.PURCHASE_REFUND)

    def test_it_prefers_the_receipts_code_to_another(self) -> None:
        for texts in (
            ("https://shop.example/loyalty", RECEIPT),
            (RECEIPT, "https://shop.example/"),
        ):
            with self.subTest(texts):
                self.assertEqual(read_receipt_photo(encoded(qr_image(*texts), "PNG")).text, RECEIPT)

    def test_it_tells_another_qr_code_from_none(self) -> None:
        cases = {
            "https://example.org/menu": "url",
            "ST00012|Name=ООО Ромашка|Sum=125000": "payment",
        }
        for text, looks_like in cases.items():
            with self.subTest(text):
                with self.assertRaises(NotFiscalQR) as caught:
                    read_receipt_photo(encoded(qr_image(text), "PNG"))
                self.assertEqual(caught.exception.looks_like, looks_like)
        blank = Image.new("RGB", (1280, 960), (236, 232, 225))
        with self.assertRaises(QRNotFound) as missing:
            read_receipt_photo(encoded(blank, "JPEG"))
        self.assertEqual(missing.exception.code, "qr_not_found")
        for size in ((1, 1), (4000, 3), (3, 2000)):
            with self.subTest(size=size), self.assertRaises(QRNotFound):
                read_receipt_photo(encoded(Image.new("L", size, 128), "PNG"))

    def test_it_refuses_a_receipts_code_that_breaks_its_rules(self) -> None:
        with self.assertRaises(InvalidFiscalQR) as caught:
            read_receipt_photo(encoded(qr_image(RECEIPT.replace("n=1", "n=7")), "PNG"))
        self.assertEqual((caught.exception.field, caught.exception.reason), ("n", "out_of_range"))

    def test_it_refuses_a_file_before_looking_for_a_code(self) -> None:
        with self.assertRaises(NotAnImage):
            read_receipt_photo(RECEIPT.encode())
        with self.assertRaises(TooManyPixels):
            read_receipt_photo(png_header_only(20_000, 20_000))
