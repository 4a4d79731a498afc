"""PDFs in the six languages: they open as PDFs, and their text (shaped, right to left for
Arabic) reads back with the reference and the amount as the language writes them."""

import io
import re
import unicodedata

import pypdf
import pytest
from PIL import Image

from gateway.media.pdf import Document


def read(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def readable(text: str) -> str:
    """Extracted text as a reader sees it: Arabic presentation forms back to letters (NFKC), and
    without the codes of glyphs that map to no character (a Devanagari cluster's second glyph),
    which pypdf passes through as control characters and a PDF viewer shows as nothing."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c == "\n" or unicodedata.category(c) != "Cc")


def fonts(reader: pypdf.PdfReader) -> set[str]:
    """The font families embedded, bold or not."""
    names = {font["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    return {re.sub(r"-?(Bold|Regular)$", "", name.split("+")[-1]) for name in names}


def clusters(reader: pypdf.PdfReader, family: str) -> set[str]:
    """The text of each glyph of `family` that stands for more than one character: a cluster
    HarfBuzz shaped into glyphs drawn in another order than the characters are written."""
    found = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        if family in font["/BaseFont"]:
            cmap = font["/ToUnicode"].get_object().get_data().decode()
            for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{8,})>", cmap):
                found.add("".join(chr(int(code[i : i + 4], 16)) for i in range(0, len(code), 4)))
    return found


def png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (40, 20), (30, 120, 200)).save(image, "PNG")
    return image.getvalue()


@pytest.mark.parametrize(
    ("language", "title", "words", "label", "amount", "font"),
    [
        ("ar", "فاتورة نوفمبر 2026", "فاتورة نوفمبر", "المبلغ", "\u200f1,860.00\xa0₹", "NotoSansArabic"),
        ("hi", "बिल नवंबर 2026", "बिल नवंबर", "राशि", "₹1,860.00", "NotoSansDevanagari"),
        ("es", "Factura de noviembre de 2026", "Factura de noviembre", "Importe", "1.860,00\xa0₹", "NotoSans"),
    ],
)
def test_a_document_reads_back_in_its_language(language, title, words, label, amount, font):
    """The title's words and the label read back in their own script and order; a number
    (2026) inside right-to-left text is read back where it shows, at the line's left end."""
    document = Document(language, title=title)
    document.fields([(label, amount), ("#", "BILL-2026-11 GH-200")])
    document.image(png(), width_mm=40)
    reader = read(document.output())
    text = readable(reader.pages[0].extract_text())
    assert len(reader.pages) == 1 and reader.metadata.title == title
    assert words in text and "2026" in text
    assert label in text.split()
    assert "1,860.00" in text or "1.860,00" in text
    assert "BILL-2026-11" in text and "GH-200" in text
    assert font in fonts(reader)


def test_a_devanagari_vowel_sign_written_after_its_consonant_is_drawn_before_it():
    """ि is typed after its consonant but shown before it: only a shaped "बि" or "शि" reads
    right, and unshaped it would read back the same, so the shaping itself is checked."""
    document = Document("hi", title="बिल नवंबर 2026")
    document.fields([("राशि", "₹1,860.00")])
    assert {"बि", "शि"} <= clusters(read(document.output()), "NotoSansDevanagari")


def test_a_latin_reference_inside_arabic_and_an_arabic_name_inside_spanish_are_written():
    arabic = Document("ar", title="تقرير العيب DEF-000123")
    spanish = Document("es", title="Informe")
    spanish.paragraph("Cliente: أحمد علي")
    assert "DEF-000123" in read(arabic.output()).pages[0].extract_text()
    spanish_pdf = read(spanish.output())
    assert "أحمد" in spanish_pdf.pages[0].extract_text() and "Cliente" in spanish_pdf.pages[0].extract_text()
    assert fonts(spanish_pdf) == {"NotoSans", "NotoSansArabic"}


def test_only_the_fonts_a_document_uses_are_embedded():
    document = Document("fr", title="Facture de novembre 2026")
    document.paragraph("Merci pour votre abonnement.")
    assert fonts(read(document.output())) == {"NotoSans"}


def test_text_after_a_word_in_another_script_is_written_in_the_main_font():
    document = Document("es", title="Informe")
    document.fields([("Cliente", "أحمد علي")])
    document.paragraph("Gracias por su suscripción.")
    assert "Gracias por su suscripción." in read(document.output()).pages[0].extract_text()


def test_a_long_document_runs_onto_more_pages():
    document = Document("en", title="Report")
    for n in range(120):
        document.paragraph(f"Line {n} of the production report.")
    reader = read(document.output())
    assert len(reader.pages) > 1 and "Line 119" in reader.pages[-1].extract_text()
