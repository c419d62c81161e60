"""Axiom module `plt`: charts saved as PNG or SVG, on matplotlib's object API.

Every function that makes a plot returns a [figure] holding one matplotlib `Figure`
with one set of axes. Series are added with `add_line`/`add_scatter` (each returns the
figure, so calls chain); a legend appears once any series has a label. `plot_save`
writes the figure; the format comes from the extension, `.png` or `.svg` (any case).
The image is `width` x `height` pixels (default 640 x 480, at 100 dpi); an SVG gives
the same size in points (`460.8pt` x `345.6pt` for the default), with its text drawn as
paths (each text also appears in an XML comment). Saving the same figure twice gives
the same bytes: no dates or random ids are written. A figure also has `_repr_png_`, the
rich-display hook of notebooks, so Axiom's Jupyter kernel shows it inline.

matplotlib is never imported with this module: the first plot imports
`matplotlib.figure` (never pyplot: no global figure registry, no GUI backend). Its first
import in a fresh environment builds a font cache (seconds; see MPLCONFIGDIR).

Data: xs, ys and values are lists of numbers (ints or floats, not bools); bar labels are
shown by their display form.
"""

from __future__ import annotations

import math
import os
from typing import Any, Final

from axiom_sdk import Module, display, typeof

module = Module("plt", summary="Plotting: line, bar, scatter and histogram charts to PNG or SVG",
                title="Plotting")

DPI: Final = 100
FORMATS: Final = {".png": "png", ".svg": "svg"}


@module.foreign_type("figure", attrs=["title"],
                     display=lambda f: f'<figure "{f.title}">' if f.title else "<figure>")
class Figure:
    """A chart: one matplotlib Figure with one set of axes. `title` is its title."""

    def __init__(self, title: str) -> None:
        from matplotlib.figure import Figure as MplFigure
        self.title = title
        self.fig = MplFigure(figsize=(640 / DPI, 480 / DPI), dpi=DPI)
        self.ax = self.fig.add_subplot()
        if title:
            self.ax.set_title(title)
        self.labelled = False

    def _repr_png_(self) -> bytes:
        """The figure as PNG bytes at its current size: the rich-display hook notebooks
        use (Axiom's Jupyter kernel shows a figure a cell makes inline). Not reachable
        from scripts, as no `_` name is."""
        import io
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        return buf.getvalue()

    def legend(self, label: str | None) -> None:
        if label:
            self.labelled = True
        if self.labelled:
            self.ax.legend()


def _numbers(fname: str, name: str, values: list) -> list[float | int]:
    for i, v in enumerate(values):
        if type(v) is not int and type(v) is not float:
            raise module.error("TypeError", f"plt.{fname}: {name}[{i}] is {typeof(v)}, "
                                            "expected a number")
    return values


def _pair(fname: str, xs: list, ys: list) -> tuple[list[Any], list[Any]]:
    _numbers(fname, "xs", xs)
    _numbers(fname, "ys", ys)
    if len(xs) != len(ys):
        raise module.error("ValueError", f"plt.{fname}: xs and ys differ in length "
                                         f"({len(xs)} and {len(ys)})")
    return xs, ys


# -- whole plots ----------------------------------------------------------------------------

@module.export
def figure(title: str = "") -> Figure:
    """An empty chart, to which add_line and add_scatter add series."""
    return Figure(title)


@module.export
def plot_line(xs: list, ys: list, title: str = "", label: str | None = None) -> Figure:
    """A line chart of ys against xs."""
    _pair("plot_line", xs, ys)
    return add_line(Figure(title), xs, ys, label)


@module.export
def plot_scatter(xs: list, ys: list, title: str = "") -> Figure:
    """A scatter chart of the points (xs[i], ys[i])."""
    _pair("plot_scatter", xs, ys)
    return add_scatter(Figure(title), xs, ys)


@module.export
def plot_bar(labels: list, values: list, title: str = "") -> Figure:
    """A bar chart: one bar per label, as high as its value."""
    _numbers("plot_bar", "values", values)
    if len(labels) != len(values):
        raise module.error("ValueError", f"plt.plot_bar: labels and values differ in length "
                                         f"({len(labels)} and {len(values)})")
    names = [display(v) for v in labels]
    if len(set(names)) != len(names):
        raise module.error("ValueError", "plt.plot_bar: labels repeat (each bar needs its own label)")
    fig = Figure(title)
    fig.ax.bar(names, values)
    return fig


@module.export
def plot_histogram(values: list, bins: int = 10, title: str = "") -> Figure:
    """A histogram of values in `bins` equal-width bins."""
    _numbers("plot_histogram", "values", values)
    if bins < 1:
        raise module.error("ValueError", f"plt.plot_histogram: bins must be at least 1 (got {bins})")
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise module.error("ValueError", "plt.plot_histogram: values must be finite (no nan or inf)")
    fig = Figure(title)
    fig.ax.hist(values, bins=bins)
    return fig


# -- adding series --------------------------------------------------------------------------

@module.export
def add_line(fig: Figure, xs: list, ys: list, label: str | None = None) -> Figure:
    """Add a line of ys against xs to a figure (labelled in the legend); returns fig."""
    _pair("add_line", xs, ys)
    fig.ax.plot(xs, ys, label=label if label else None)
    fig.legend(label)
    return fig


@module.export
def add_scatter(fig: Figure, xs: list, ys: list, label: str | None = None) -> Figure:
    """Add scatter points to a figure (labelled in the legend); returns fig."""
    _pair("add_scatter", xs, ys)
    fig.ax.scatter(xs, ys, label=label if label else None)
    fig.legend(label)
    return fig


# -- saving -------------------------------------------------------------------------------

@module.export(needs=["fs.write:path"])
def plot_save(fig: Figure, path: str, width: int = 640, height: int = 480) -> None:
    """Write a figure as a PNG or SVG image (by the extension) of width x height pixels."""
    ext = os.path.splitext(path)[1].lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        shown = repr(ext) if ext else "none"
        raise module.error("ValueError", f"plt.plot_save: unsupported file type {shown} for "
                                         f"{path!r} (use .png or .svg)")
    if not 1 <= width <= 20000 or not 1 <= height <= 20000:
        raise module.error("ValueError", f"plt.plot_save: width and height must be between 1 "
                                         f"and 20000 pixels (got {width} and {height})")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise module.error("IOError", f"plt.plot_save: {path}: no such folder {folder!r}")
    import matplotlib
    fig.fig.set_size_inches(width / DPI, height / DPI)
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "axiom", "svg.id": None}):
        fig.fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata)


__all__ = ["Figure", "module"]
