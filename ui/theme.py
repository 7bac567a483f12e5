"""One colour per provider on every chart, so AWS is always the same orange."""

from __future__ import annotations

import re

PROVIDER_COLORS = {
    "aws": "#FF9900",
    "amazon": "#FF9900",
    "microsoft": "#0078D4",
    "azure": "#0078D4",
    "google": "#34A853",
    "gcp": "#34A853",
    "oracle": "#C74634",
    "oci": "#C74634",
}
# No grey among them: grey is "Other"'s.
OTHER_COLORS = ["#6C5B7B", "#355C7D", "#99B898", "#F8B195", "#2A363B"]


def provider_color(provider: str, index: int = 0) -> str:
    key = provider.lower()
    for prefix, color in PROVIDER_COLORS.items():
        if key.startswith(prefix):
            return color
    return OTHER_COLORS[index % len(OTHER_COLORS)]


def color_map(providers: list[str]) -> dict[str, str]:
    return {p: provider_color(p, i) for i, p in enumerate(sorted(providers))}


OTHER_COLOR = "#9E9E9E"  # the folded tail of a chart: neutral, never mistaken for a series
UNALLOCATED_COLOR = "#E8A33D"  # untagged / unallocated spend: stands apart from tagged bars
VIEW_COLORS = ["#1F77B4", "#0B3C66"]  # showback: before / after allocation
# Plotly's own ten minus its grey: nine series and "Other" stay apart on one chart.
SERIES_COLORS = [
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#BCBD22",
    "#17BECF",
]

# A status is read, not decoded from a glyph (emoji need fonts some machines lack): the words
# say it and the colour repeats it. The first word with a tone decides.
STATUS_TONES = (
    (("fail", "error", "stale"), "#C62828"),
    (("late", "warn", "never"), "#B26A00"),
    (("ok", "on time", "loaded", "succeeded", "fresh", "active"), "#2E7D32"),
)


def status_color(text: object) -> str | None:
    lowered = str(text or "").lower()
    starts = [m.start() for m in re.finditer(r"[a-z]+", lowered)]
    for start in starts:
        for keys, color in STATUS_TONES:
            if lowered.startswith(keys, start):
                return color
    return None


def series_colors(names: list[str], providers: bool) -> dict[str, str]:
    """Providers keep their brand colour; other series take a palette in order; Other is grey."""
    real = [n for n in names if n != "Other"]
    colors = (
        color_map(real)
        if providers
        else {n: SERIES_COLORS[i % len(SERIES_COLORS)] for i, n in enumerate(real)}
    )
    return colors | {"Other": OTHER_COLOR}
