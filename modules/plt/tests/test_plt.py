"""plt on matplotlib: real PNG and SVG files of the asked size, with their titles and legends."""

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from axiom_plt import module
from axiom_sdk import display
from axiom_sdk.testing import call, raises


def c(name, *args, **kwargs):
    return call(module, name, *args, **kwargs)


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def pixels(path):
    with Image.open(path) as im:
        im.load()
        return im.size, im.tobytes()


def test_importing_the_module_does_not_import_matplotlib():
    code = ("import sys, axiom_plt; from axiom_sdk.testing import call; "
            "print('matplotlib' in sys.modules); call(axiom_plt.module, 'figure'); "
            "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "False"]


@pytest.mark.parametrize("make", [
    lambda: c("plot_line", [1, 2, 3], [1, 4, 9]),
    lambda: c("plot_bar", ["a", "b", 3], [1, 2.5, 3]),
    lambda: c("plot_scatter", [0.5, 1, 2], [2, 1, 0.5]),
    lambda: c("plot_histogram", [1, 2, 2, 3, 3, 3]),
    lambda: c("figure"),
])
def test_every_plot_saves_as_png_and_svg(tmp_path, make):
    fig = make()
    assert c("plot_save", fig, str(tmp_path / "a.png")) is None
    assert png_size(tmp_path / "a.png") == (640, 480)
    with Image.open(tmp_path / "a.png") as im:
        assert (im.format, im.size, im.mode) == ("PNG", (640, 480), "RGBA")
    c("plot_save", fig, str(tmp_path / "a.svg"))
    root = svg(tmp_path / "a.svg")
    assert (root.get("width"), root.get("height")) == ("460.8pt", "345.6pt")


def test_the_size_is_the_one_asked_for(tmp_path):
    fig = c("plot_line", [0, 1], [0, 1])
    c("plot_save", fig, str(tmp_path / "wide.PNG"), width=800, height=200)
    assert png_size(tmp_path / "wide.PNG") == (800, 200)
    c("plot_save", fig, str(tmp_path / "wide.svg"), width=800, height=200)
    root = svg(tmp_path / "wide.svg")
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("576pt", "144pt", "0 0 576 144")


def test_different_data_give_different_images(tmp_path):
    c("plot_save", c("plot_line", [1, 2, 3], [1, 2, 3]), str(tmp_path / "a.png"))
    c("plot_save", c("plot_line", [1, 2, 3], [3, 1, 2]), str(tmp_path / "b.png"))
    c("plot_save", c("plot_line", [1, 2, 3], [1, 2, 3]), str(tmp_path / "c.png"))
    a, b, same = pixels(tmp_path / "a.png"), pixels(tmp_path / "b.png"), pixels(tmp_path / "c.png")
    assert a[0] == b[0] == (640, 480)
    assert a[1] != b[1]
    assert a[1] == same[1]
    h1, h2 = c("plot_histogram", [1, 1, 1, 5], bins=2), c("plot_histogram", [1, 1, 1, 5], bins=4)
    c("plot_save", h1, str(tmp_path / "h1.png"))
    c("plot_save", h2, str(tmp_path / "h2.png"))
    assert pixels(tmp_path / "h1.png")[1] != pixels(tmp_path / "h2.png")[1]


def test_saving_is_reproducible(tmp_path):
    fig = c("plot_scatter", [1, 2], [2, 1], title="same")
    c("plot_save", fig, str(tmp_path / "a.svg"))
    c("plot_save", fig, str(tmp_path / "b.svg"))
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    c("plot_save", fig, str(tmp_path / "a.png"))
    c("plot_save", fig, str(tmp_path / "b.png"))
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_titles_and_legends_appear(tmp_path):
    fig = c("figure", title="Growth chart")
    assert c("add_line", fig, [1, 2, 3], [2, 4, 8], "doubling") is fig
    assert c("add_scatter", fig, [1, 2], [3, 3], label="samples") is fig
    c("add_line", fig, [1, 3], [1, 1])  # no label: not in the legend
    c("plot_save", fig, str(tmp_path / "g.svg"))
    text = (tmp_path / "g.svg").read_text()
    svg(tmp_path / "g.svg")
    assert "<!-- Growth chart -->" in text
    assert "<!-- doubling -->" in text and "<!-- samples -->" in text
    assert 'id="legend_1"' in text
    line = c("plot_line", [1, 2], [1, 2], title="T", label="only")
    c("plot_save", line, str(tmp_path / "l.svg"))
    text = (tmp_path / "l.svg").read_text()
    assert "<!-- T -->" in text and "<!-- only -->" in text and 'id="legend_1"' in text
    bare = c("plot_line", [1, 2], [1, 2])
    c("plot_save", bare, str(tmp_path / "bare.svg"))
    assert 'id="legend_1"' not in (tmp_path / "bare.svg").read_text()
    bars = c("plot_bar", ["north", "south"], [3, 5], title="Sales")
    c("plot_save", bars, str(tmp_path / "bars.svg"))
    text = (tmp_path / "bars.svg").read_text()
    assert "<!-- Sales -->" in text and "<!-- north -->" in text and "<!-- south -->" in text


def test_figure_values():
    fig = c("figure", title="T")
    assert (fig.title, display(fig)) == ("T", '<figure "T">')
    assert display(c("figure")) == "<figure>"


@pytest.mark.parametrize("name, args, kind, message", [
    ("plot_line", ([1, 2, 3], [1, 2, 3, 4]), "ValueError", "plt.plot_line: xs and ys differ in length (3 and 4)"),
    ("plot_scatter", ([1], []), "ValueError", "plt.plot_scatter: xs and ys differ in length (1 and 0)"),
    ("plot_line", ([1, "2"], [1, 2]), "TypeError", "plt.plot_line: xs[1] is str, expected a number"),
    ("plot_line", ([1, 2], [1, None]), "TypeError", "plt.plot_line: ys[1] is nil, expected a number"),
    ("plot_line", ([True], [1]), "TypeError", "plt.plot_line: xs[0] is bool, expected a number"),
    ("plot_bar", (["a"], [1, 2]), "ValueError", "plt.plot_bar: labels and values differ in length (1 and 2)"),
    ("plot_bar", (["a", "a"], [1, 2]), "ValueError", "plt.plot_bar: labels repeat (each bar needs its own label)"),
    ("plot_bar", (["a"], ["x"]), "TypeError", "plt.plot_bar: values[0] is str, expected a number"),
    ("plot_histogram", ([1, 2], 0), "ValueError", "plt.plot_histogram: bins must be at least 1 (got 0)"),
    ("plot_histogram", ([1, float("nan")],), "ValueError", "plt.plot_histogram: values must be finite (no nan or inf)"),
    ("plot_histogram", ([1], 2.5), "TypeError", "plt.plot_histogram: argument 'bins' expects int, got float"),
    ("plot_line", ("1,2", [1]), "TypeError", "plt.plot_line: argument 'xs' expects list, got str"),
    ("add_line", ([1], [1], [1]), "TypeError", "plt.add_line: argument 'fig' expects figure, got list"),
    ("plot_save", (None, "a.png"), "TypeError", "plt.plot_save: argument 'fig' expects figure, got nil"),
])
def test_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_save_errors(tmp_path):
    fig = c("figure")
    err = raises(module, "plot_save", fig, str(tmp_path / "a.jpg"))
    assert (err.kind, err.message) == ("ValueError", f"plt.plot_save: unsupported file type '.jpg' for "
                                                     f"'{tmp_path / 'a.jpg'}' (use .png or .svg)")
    err = raises(module, "plot_save", fig, str(tmp_path / "noext"))
    assert err.message.startswith("plt.plot_save: unsupported file type none for")
    missing = tmp_path / "missing" / "a.png"
    err = raises(module, "plot_save", fig, str(missing))
    assert (err.kind, err.message) == ("IOError", f"plt.plot_save: {missing}: no such folder "
                                                  f"'{tmp_path / 'missing'}'")
    err = raises(module, "plot_save", fig, str(tmp_path / "a.png"), width=0)
    assert (err.kind, err.message) == ("ValueError", "plt.plot_save: width and height must be between 1 "
                                                     "and 20000 pixels (got 0 and 480)")
    assert not list(tmp_path.iterdir())


def test_plot_save_needs_fs_write_on_the_path():
    assert module.capabilities() == ["fs.write"]
    from axiom_sdk import Export
    export = module.get_symbol("plot_save")
    assert isinstance(export, Export) and export.needs == [("fs.write", "path")]


def test_every_export_is_documented():
    assert set(module.list_exports()) == {
        "plot_line", "plot_bar", "plot_scatter", "plot_histogram", "figure", "add_line",
        "add_scatter", "plot_save"}
    for name in module.list_exports():
        _, doc = module.describe(name)
        assert doc, name


def test_a_figure_renders_itself_as_png_for_notebooks():
    from axiom_plt import plot_line
    fig = plot_line([1, 2, 3], [2, 4, 3], title="t")
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (640, 480)
    assert fig._repr_png_() == png  # no date or software stamp: the same bytes each time
