"""Charts embedded in documents, drawn with matplotlib (imported only here).

A chart is PNG bytes handed to the writer as a Document asset. Output is
deterministic: no timestamps or software tags in the PNG, fixed size and DPI.
"""

from __future__ import annotations

import io
import sys
from functools import lru_cache

# Fonts tried in order; the first one installed draws the Chinese labels.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "SimSun", "AR PL UMing CN")
BAR_COLOR = "#9E1B1B"  # the red of official documents, muted for print
DPI = 150


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def score_chart(names: list[str], scores: list[float], title: str = "") -> bytes:
    """Horizontal bars of township scores, best at the top."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    font = cjk_font()
    if font is None:
        print("warning: no Chinese font found (install fonts-noto-cjk); chart labels may show "
              "as boxes / 未找到中文字体，图表文字可能无法显示", file=sys.stderr)
    rc = {"font.sans-serif": [font] if font else [], "font.family": "sans-serif",
          "axes.unicode_minus": False, "svg.hashsalt": "speechgen"}
    height = max(2.5, 0.32 * len(names) + 1.0)
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(6.3, height), dpi=DPI)
        try:
            y = list(range(len(names)))[::-1]
            ax.barh(y, scores, color=BAR_COLOR, height=0.6)
            # matplotlib reads $…$ as math text: a township named A$B$ must stay text
            ax.set_yticks(y, labels=[n.replace("$", r"\$") for n in names])
            ax.set_xlabel("综合得分")
            for yi, score in zip(y, scores):
                ax.text(score, yi, f" {score:.2f}", va="center", fontsize=8)
            ax.set_xlim(0, max(scores + [1.0]) * 1.15)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            if title:
                ax.set_title(title)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", metadata={"Software": None})
        finally:
            plt.close(fig)
    return buf.getvalue()
