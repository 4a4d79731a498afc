"""PDF documents in any of the gateway's six languages, on fpdf2: the vendored Noto fonts
(fonts/, SIL OFL), text shaped by HarfBuzz so Arabic letters join and Devanagari clusters
form, Arabic set right to left, and a word in another script (a Latin reference inside
Arabic, an Arabic name inside Spanish) written in its own font. Pure: build one inside a
rendering's `make` function (gateway.media.rendering), never on the event loop."""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
LATIN, ARABIC, DEVANAGARI = "NotoSans", "NotoSansArabic", "NotoSansDevanagari"
_SCRIPTS = {
    ARABIC: re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    DEVANAGARI: re.compile("[\u0900-\u097f\ua8e0-\ua8ff]"),
}
_PRIMARY = {"ar": ARABIC, "hi": DEVANAGARI}
RIGHT_TO_LEFT = frozenset({"ar"})
BODY_SIZE, HEADING_SIZE, TITLE_SIZE = 11, 13, 18
LINE = 1.5
"""Line height as a multiple of the font size, roomy enough for Devanagari's marks."""
_MM_PER_PT = 25.4 / 72
LABEL_SHARE = 0.35
"""The width of the label column in `fields`."""


@dataclass(frozen=True)
class _Text:
    text: str
    size: float
    bold: bool = False
    space_before: float = 0


@dataclass(frozen=True)
class _Fields:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Image:
    data: bytes
    width_mm: float


class Document:
    """A PDF built top to bottom: a title, then `heading`, `paragraph`, `fields` (label and
    value rows) and `image` in any order; `output()` gives its bytes. `language` picks the
    main font and, for Arabic, right-to-left lines aligned right."""

    def __init__(self, language: str, *, title: str, created: datetime | None = None) -> None:
        self.language = language
        self.title = title
        self._created = created
        self._rtl = language in RIGHT_TO_LEFT
        self._family = _PRIMARY.get(language, LATIN)
        self._blocks: list[_Text | _Fields | _Image] = [_Text(title, TITLE_SIZE, bold=True)]

    def heading(self, text: str) -> None:
        self._blocks.append(_Text(text, HEADING_SIZE, bold=True, space_before=4))

    def paragraph(self, text: str) -> None:
        self._blocks.append(_Text(text, BODY_SIZE, space_before=1))

    def fields(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label and value on each row, the label in bold; for Arabic the labels are on the right."""
        self._blocks.append(_Fields(tuple(rows)))

    def image(self, data: bytes, *, width_mm: float = 120) -> None:
        """A photo or chart (PNG, JPEG), `width_mm` wide or the page's width if less."""
        self._blocks.append(_Image(data, width_mm))

    def output(self) -> bytes:
        """The PDF. Fonts are chosen here, once every text is known: fpdf2 garbles text written
        before a font is added, and each font added is embedded whether used or not."""
        pdf = FPDF(format="A4")
        pdf.set_title(self.title)
        pdf.set_lang(self.language)
        pdf.set_creator("wa-gateway")
        if self._created is not None:
            pdf.set_creation_date(self._created)
        families = self._families()
        for family in families:
            pdf.add_font(family, "", FONTS / f"{family}-Regular.ttf")
            pdf.add_font(family, "B", FONTS / f"{family}-Bold.ttf")
        pdf.set_fallback_fonts([family for family in families if family != self._family])
        pdf.set_text_shaping(True, direction="rtl" if self._rtl else "ltr")
        pdf.add_page()
        for block in self._blocks:
            match block:
                case _Text():
                    self._text(pdf, block)
                case _Fields():
                    self._fields(pdf, block)
                case _Image():
                    self._image(pdf, block)
        return bytes(pdf.output())

    def _families(self) -> list[str]:
        """The main font, Latin, and the font of any other script the texts hold."""
        texts = " ".join(self._texts())
        needed = [LATIN, self._family] + [family for family, script in _SCRIPTS.items() if script.search(texts)]
        return list(dict.fromkeys(needed))

    def _texts(self) -> list[str]:
        texts = []
        for block in self._blocks:
            if isinstance(block, _Text):
                texts.append(block.text)
            elif isinstance(block, _Fields):
                texts += [part for row in block.rows for part in row]
        return texts

    @property
    def _align(self) -> str:
        return "R" if self._rtl else "L"

    def _text(self, pdf: FPDF, block: _Text) -> None:
        pdf.ln(block.space_before)
        _select(pdf, self._family, "B" if block.bold else "", block.size)
        pdf.multi_cell(0, block.size * LINE * _MM_PER_PT, block.text, align=self._align, new_x="LMARGIN", new_y="NEXT")

    def _fields(self, pdf: FPDF, block: _Fields) -> None:
        height = BODY_SIZE * LINE * _MM_PER_PT
        widths = (LABEL_SHARE * pdf.epw, (1 - LABEL_SHARE) * pdf.epw)
        for label, value in block.rows:
            top = bottom = pdf.get_y()
            cells = list(zip((label, value), ("B", ""), widths))
            pdf.set_x(pdf.l_margin)
            for text, style, width in reversed(cells) if self._rtl else cells:
                _select(pdf, self._family, style, BODY_SIZE)
                pdf.multi_cell(width, height, text, align=self._align, new_x="RIGHT", new_y="TOP")
                bottom = max(bottom, pdf.get_y())
            pdf.set_xy(pdf.l_margin, max(bottom, top + height))

    def _image(self, pdf: FPDF, block: _Image) -> None:
        pdf.ln(2)
        width = min(block.width_mm, pdf.epw)
        x = pdf.w - pdf.r_margin - width if self._rtl else pdf.l_margin
        pdf.image(io.BytesIO(block.data), x=x, w=width)
        pdf.ln(2)


def _select(pdf: FPDF, family: str, style: str, size: float) -> None:
    """Select a font even when fpdf2 (2.8) thinks it is selected: after text that needed a
    fallback font it leaves that font current while still naming the main one, so `set_font`
    would do nothing and the next text would be written in the wrong font's glyphs."""
    pdf.font_family = ""
    pdf.set_font(family, style, size)
