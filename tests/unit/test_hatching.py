"""pipeline.hatching: a chart's hatching redrawn as vector lines before Chromium prints it."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from healthcheck.pipeline.pdf.hatching import SVG, vector_hatching_page, vector_hatching_svg  # noqa: E402
from healthcheck.present.charts.style import save_figure  # noqa: E402


def _chart(tmp_path, hatched: int) -> str:
    """A matplotlib SVG with ``hatched`` hatched squares and one plain one, as the charts draw them."""
    fig, ax = plt.subplots(figsize=(3, 2))
    for i in range(hatched):
        ax.add_patch(Rectangle((i, 0), 1, 1, facecolor="#efefef", edgecolor="white", hatch="///", hatchcolor="#b1b4b6"))
    ax.add_patch(Rectangle((hatched, 0), 1, 1, facecolor="#4c7191"))
    ax.set_xlim(0, hatched + 1)
    return save_figure(fig, tmp_path / f"chart-{hatched}.svg").read_text(encoding="utf-8")


def _pattern_fills(svg: str) -> list:
    return [el for el in ET.fromstring(svg).iter() if re.search(r"fill:\s*url\(", el.get("style") or "")]


def test_every_hatched_square_is_redrawn_with_clipped_lines(tmp_path):
    svg = _chart(tmp_path, 3)
    assert len(_pattern_fills(svg)) == 3
    new, count, left = vector_hatching_svg(svg)
    assert count == 3 and left == 0 and _pattern_fills(new) == []
    root = ET.fromstring(new)
    clips = [c for c in root.iter(f"{{{SVG}}}clipPath") if (c.get("id") or "").startswith("hc-hatch-")]
    assert len(clips) == 3
    uses = [u for u in root.iter(f"{{{SVG}}}use") if (u.get("href") or "").startswith("#hc-hatch-")]
    assert uses and all(u.get("href").endswith("-tile") for u in uses)
    # each square: its pattern's background colour under the lines, and its own outline on top
    backgrounds = [el for el in root.iter(f"{{{SVG}}}path") if "fill: #efefef" in (el.get("style") or "")]
    assert len(backgrounds) == 3 and all("stroke: none" in el.get("style") for el in backgrounds)


def test_a_page_keeps_charts_without_hatching_as_they_were(tmp_path):
    plain = base64.b64encode(_chart(tmp_path, 0).encode()).decode()
    hatched = base64.b64encode(_chart(tmp_path, 2).encode()).decode()
    image = '<img src="data:image/svg+xml;base64,{}" alt="chart"/>'
    page = f"<p>{image.format(plain)}{image.format(hatched)}</p>"
    new, count, left = vector_hatching_page(page)
    assert (count, left) == (2, 0)
    assert f'src="data:image/svg+xml;base64,{plain}"' in new and hatched not in new
    redrawn = base64.b64decode(re.findall(r"base64,([A-Za-z0-9+/=]+)", new)[1]).decode()
    assert _pattern_fills(redrawn) == []


def test_a_shape_it_cannot_measure_is_left_for_the_page_script(tmp_path):
    # relative path commands are not matplotlib's: the shape keeps its pattern, and the page
    # says a chart still has one, so that the script in the page redraws it
    svg = _chart(tmp_path, 1)
    relative = re.sub(r'<path d="M ([\d.]+) ([\d.]+) \s*L', r'<path d="m \1 \2 l', svg, count=0)
    shapes = [el for el in _pattern_fills(relative) if (el.get("d") or "").startswith("m ")]
    assert shapes, "the test needs a hatched shape drawn with relative commands"
    new, count, left = vector_hatching_svg(relative)
    assert count == 0 and left == 1 and len(_pattern_fills(new)) == 1
    page = f'<img src="data:image/svg+xml;base64,{base64.b64encode(relative.encode()).decode()}"/>'
    assert vector_hatching_page(page)[1:] == (0, 1)
