"""经验做法 the office wants named: each with the facts of the indicator it served, if any."""

from __future__ import annotations

from generator.sources.dataset import Highlight


def highlight_facts(items: tuple[Highlight, ...], indicators: dict[str, dict]) -> list[dict]:
    return [{**h.extra, "unit": h.unit, "text": h.text,
             "indicator": indicators.get(h.indicator) if h.indicator else None,
             "extra": h.extra} for h in items]
