"""What every chart shares: matplotlib's object API only (a Figure on an Agg canvas; pyplot
keeps global state and is not thread safe, and charts render in a pool's threads), the
vendored Noto fonts so each language's labels are shaped (matplotlib 3.11 and later lay text
out with libraqm: Arabic joins right to left, Devanagari clusters form; earlier versions draw
each letter on its own, hence the pin in setup.cfg), and PNG bytes out."""

import io

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gateway.media.pdf import FONTS

for _font in sorted(FONTS.glob("*.ttf")):
    font_manager.fontManager.addfont(str(_font))

_LATIN, _ARABIC, _DEVANAGARI = "Noto Sans", "Noto Sans Arabic", "Noto Sans Devanagari"
DPI = 100


def families(language: str) -> list[str]:
    """Fonts to try for each glyph, the language's own first: a Latin reference in an Arabic
    label comes from Noto Sans, an Arabic name in a Spanish one from Noto Sans Arabic."""
    main = {"ar": _ARABIC, "hi": _DEVANAGARI}.get(language, _LATIN)
    return list(dict.fromkeys([main, _LATIN, _ARABIC, _DEVANAGARI]))


def figure(language: str, width: float, height: float) -> tuple[Figure, Axes]:
    """A figure `width` × `height` inches with one axes whose tick labels use the language's fonts."""
    chart = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = chart.add_subplot()
    axes.tick_params(labelfontfamily=families(language))
    return chart, axes


def png(chart: Figure) -> bytes:
    output = io.BytesIO()
    FigureCanvasAgg(chart).print_png(output)
    return output.getvalue()
