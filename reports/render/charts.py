"""Charts for the html and pdf reports: matplotlib drawn to PNG, embedded as data URIs.

Text is rasterised, so the charts need no font on the reader's device. matplotlib 3.11 shapes
Arabic itself; with older versions labels are shaped (arabic-reshaper) and put in visual order
(python-bidi) first.
Suppressed cells are left out of the charts, never drawn from their raw value.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from empower.reports.render.i18n import Labels
from matplotlib.figure import Figure

__all__ = ["bar_chart", "line_chart"]

_STYLE: dict[str, Any] = {
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOR = "#1f4e79"


def _style(L: Labels) -> dict[str, Any]:
    # Arabic glyphs come from Noto Sans Arabic (Debian fonts-noto-core); a single font otherwise
    # keeps matplotlib from searching a fallback chain for every label.
    return {**_STYLE, "font.family": ["Noto Sans Arabic", "DejaVu Sans"]} if L.rtl else _STYLE


def _shapes_text_itself() -> bool:
    # matplotlib 3.11 lays text out with libraqm (shaping and bidi); shaping again would garble it
    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


def _text(text: str, L: Labels) -> str:
    if not L.rtl or _shapes_text_itself():
        return text
    import arabic_reshaper
    from bidi import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def _uri(fig: Figure) -> str:
    # PNG rather than SVG: a tenth of the size once every glyph is a path, and WeasyPrint lays
    # PNGs out far faster than large SVGs.
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def bar_chart(title: str, rows: Sequence[tuple[str, float | None]], L: Labels) -> str | None:
    """Horizontal bars (one per category with a published value) as a PNG data URI."""
    shown = [(label, float(v)) for label, v in rows if v is not None]
    if not shown:
        return None
    with matplotlib.rc_context(_style(L)):  # type: ignore[arg-type]
        fig = Figure(figsize=(6.4, 0.28 * len(shown) + 0.9))
        ax = fig.add_subplot()
        labels = [_text(label, L) for label, _ in shown][::-1]
        values = [v for _, v in shown][::-1]
        ax.barh(labels, values, color=_COLOR)
        ax.set_title(_text(title, L), loc="right" if L.rtl else "left", fontsize=10)
        ax.tick_params(axis="y", length=0)
        if L.rtl:
            ax.invert_xaxis()
            ax.yaxis.tick_right()
            ax.spines["left"].set_visible(False)
            ax.spines["right"].set_visible(True)
            fig.subplots_adjust(left=0.03, right=0.62, top=1 - 0.45 / fig.get_figheight())
        else:
            fig.subplots_adjust(left=0.38, right=0.97, top=1 - 0.45 / fig.get_figheight())
        return _uri(fig)


def line_chart(title: str, points: Sequence[tuple[str, float | None]], L: Labels) -> str | None:
    """A 12-month line (gaps where a month is suppressed) as a PNG data URI."""
    if not any(v is not None for _, v in points):
        return None
    with matplotlib.rc_context(_style(L)):  # type: ignore[arg-type]
        fig = Figure(figsize=(6.4, 2.4))
        ax = fig.add_subplot()
        xs = list(range(len(points)))
        ys = [float("nan") if v is None else float(v) for _, v in points]
        ax.plot(xs, ys, marker="o", color=_COLOR, linewidth=1.8, markersize=3)
        ax.set_xticks(xs, [m[2:] for m, _ in points], rotation=45, fontsize=7)
        ax.set_title(_text(title, L), loc="right" if L.rtl else "left", fontsize=10)
        ax.set_ylim(bottom=0)
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.22, top=0.86)
        if L.rtl:
            ax.invert_xaxis()
        return _uri(fig)
