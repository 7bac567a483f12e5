"""One colour per provider on every chart, so AWS is always the same orange."""

from __future__ import annotations

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
OTHER_COLORS = ["#6C5B7B", "#355C7D", "#99B898", "#F8B195", "#2A363B", "#A8A7A7"]


def provider_color(provider: str, index: int = 0) -> str:
    key = provider.lower()
    for prefix, color in PROVIDER_COLORS.items():
        if key.startswith(prefix):
            return color
    return OTHER_COLORS[index % len(OTHER_COLORS)]


def color_map(providers: list[str]) -> dict[str, str]:
    return {p: provider_color(p, i) for i, p in enumerate(sorted(providers))}
