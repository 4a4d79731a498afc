"""Real files of each kind, made by the libraries that make them (Pillow, fpdf2, zipfile), and a
real Windows program (setuptools' launcher), for the checks that a file is what it claims."""

import os
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import setuptools
from fpdf import FPDF
from PIL import Image


def picture(format: str, size: tuple[int, int] = (64, 48), *, noisy: bool = False, **options: object) -> bytes:
    """A JPEG, PNG or WebP (`options` for Pillow's save); `noisy` makes it incompressible, so
    large in bytes for its size."""
    image = _noise(size) if noisy else Image.new("RGB", size, (200, 40, 40))
    out = BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def animated_webp(frames: int = 4, size: tuple[int, int] = (512, 512)) -> bytes:
    images = [_noise(size) for _ in range(frames)]
    out = BytesIO()
    images[0].save(out, format="WEBP", save_all=True, append_images=images[1:], duration=100, lossless=True)
    return out.getvalue()


def webp_claiming(size: tuple[int, int]) -> bytes:
    """A small animated WebP whose header claims a canvas of `size`, as a decompression bomb does."""
    data = animated_webp(frames=2, size=(16, 16))
    header = data.index(b"VP8X") + 8 + 4  # the chunk's tag and length, then its flags
    width, height = (side - 1 for side in size)
    return data[:header] + width.to_bytes(3, "little") + height.to_bytes(3, "little") + data[header + 6 :]


def _noise(size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def pdf(text: str = "Defect QA-7 report") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def windows_program() -> bytes:
    return (Path(setuptools.__file__).parent / "cli-64.exe").read_bytes()


def office_document(folder: str, *, after: int = 0) -> bytes:
    """An Office Open XML archive (word/, xl/ or ppt/), its part coming `after` that many other
    entries, as some programs write them."""
    out = BytesIO()
    with ZipFile(out, "w", ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        for n in range(after):
            archive.writestr(f"customXml/item{n}.xml", "<item/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return out.getvalue()


def mp4_start(brand: bytes = b"mp42") -> bytes:
    """The start of an MP4 file: its `ftyp` box, which says the brand, then an empty `mdat`;
    all a sniffer reads, and no encoder is at hand to make the sound or picture after it."""
    ftyp = b"ftyp" + brand + bytes(4) + brand + b"isom"
    return len(ftyp + bytes(4)).to_bytes(4, "big") + ftyp + (8).to_bytes(4, "big") + b"mdat"
