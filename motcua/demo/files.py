"""Small real files for the demo, made in code (no binary blobs in the repository): a photo as
a citizen would take with a phone (a PNG drawn with Pillow: shapes only, no people, no text)
and a one-page letter (a PDF through motcua's own layout, `documents.pdf.text_pdf`). They
go through the same checks and storage as any upload."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from motcua.documents.pdf import Block, text_pdf

#: The drawings: a pavement with parked motorbikes, a notice board of fees.
SCENES = ("pavement", "notice_board")


def demo_photo(*, name: str, scene: str) -> SimpleUploadedFile:
    """A 480 x 320 PNG of `scene` (one of SCENES), a few kilobytes."""
    image = Image.new("RGB", (480, 320), (190, 215, 235))
    draw = ImageDraw.Draw(image)
    if scene == "pavement":
        draw.rectangle((0, 40, 480, 200), fill=(222, 196, 160))  # the office's front
        for x in range(30, 480, 110):
            draw.rectangle((x, 70, x + 60, 150), fill=(120, 160, 190))  # windows
        draw.rectangle((0, 200, 480, 320), fill=(160, 160, 160))  # the pavement
        for n, x in enumerate(range(20, 460, 75)):
            colour = ((180, 30, 30), (30, 60, 150), (40, 40, 40))[n % 3]
            draw.rectangle((x, 235, x + 50, 265), fill=colour)  # a motorbike's body
            draw.ellipse((x - 6, 255, x + 16, 277), fill=(20, 20, 20))  # its wheels
            draw.ellipse((x + 36, 255, x + 58, 277), fill=(20, 20, 20))
    elif scene == "notice_board":
        draw.rectangle((0, 0, 480, 320), fill=(200, 190, 170))  # the wall
        draw.rectangle((60, 30, 420, 290), fill=(250, 250, 245), outline=(90, 60, 30), width=6)
        for y in range(60, 270, 28):
            draw.line((90, y, 330, y), fill=(60, 60, 60), width=3)  # the rows of the table
            draw.line((350, y, 390, y), fill=(60, 60, 60), width=3)  # their amounts
        draw.ellipse((335, 140, 405, 185), outline=(210, 20, 20), width=4)  # the amount circled
    else:
        raise ValueError(f"unknown scene {scene!r}")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def demo_letter(*, name: str, title: str, paragraphs: tuple[str, ...]) -> SimpleUploadedFile:
    """A one-page PDF letter: `title` centred, then `paragraphs`."""
    blocks = [Block(title, size=14, centred=True), *(Block(p, space_before=8) for p in paragraphs)]
    return SimpleUploadedFile(name, text_pdf(blocks=blocks), content_type="application/pdf")
