"""Every chart of the report, one module per kind; this package's names are what chapters use.

Each figure function returns a matplotlib Figure with an ``alt_text`` attribute; the ``*_data``
companions return the table of what is plotted, shown beside the chart.

The one place the package chooses matplotlib's backend: importing any chart module imports this
package first, so every chart is drawn by Agg (headless, the same bytes on every machine) and
none can open a window, whatever backend the machine defaults to. A chapter kernel's
inline backend (Agg underneath) is put back by the warm-kernel engine before each notebook.
"""

import matplotlib

matplotlib.use("Agg")

from healthcheck.present.charts.changes import change_table  # noqa: E402 - after the backend
from healthcheck.present.charts.dots import breakdown_dots, dots_data
from healthcheck.present.charts.headlines import A4_PORTRAIT, alt_text_infographic, headline_infographic
from healthcheck.present.charts.heatmap import alt_text_breakdown, breakdown_data, breakdown_heatmap
from healthcheck.present.charts.likert import LIKERT_LABELS, LIKERT_ORDER, alt_text_likert, likert, likert_data
from healthcheck.present.charts.panels import trend_panels
from healthcheck.present.charts.style import PALETTE, apply_house_style, save_figure
from healthcheck.present.charts.trend import alt_text_trend, trend, trend_data
from healthcheck.present.charts.words import word_cloud, word_cloud_alt

__all__ = [
    "A4_PORTRAIT",
    "LIKERT_LABELS",
    "LIKERT_ORDER",
    "PALETTE",
    "alt_text_breakdown",
    "alt_text_infographic",
    "alt_text_likert",
    "alt_text_trend",
    "apply_house_style",
    "breakdown_data",
    "breakdown_dots",
    "breakdown_heatmap",
    "dots_data",
    "change_table",
    "headline_infographic",
    "likert",
    "likert_data",
    "save_figure",
    "trend",
    "trend_data",
    "trend_panels",
    "word_cloud",
    "word_cloud_alt",
]
