"""Charts embedded in documents, drawn with matplotlib (imported only here).

A chart is PNG bytes handed to the writer as a Document asset. Output is
deterministic: no timestamps or software tags in the PNG, fixed size and DPI.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

# CJK font files tried in order, by name, in the usual font folders of Linux, Windows
# and macOS. A chart loads its font from the file itself: matplotlib's font cache,
# built once per user, may predate the fonts (fonts-noto-cjk installed later) and
# would then turn every label into a box, with a findfont warning for each.
CJK_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf",
             "SourceHanSansSC-Regular.otf", "SourceHanSans-Regular.ttc", "wqy-zenhei.ttc",
             "wqy-microhei.ttc", "simhei.ttf", "msyh.ttc", "msyh.ttf", "simsun.ttc",
             "NotoSerifCJK-Regular.ttc", "uming.ttc", "ukai.ttc", "PingFang.ttc",
             "Hiragino Sans GB.ttc", "STHeiti Light.ttc")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "C:/Windows/Fonts", "~/AppData/Local/Microsoft/Windows/Fonts",
             "/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts")
BAR_COLOR = "#9E1B1B"  # the red of official documents, muted for print
DPI = 150
SAMPLE = "县镇乡综合得分"  # a font that draws these draws the chart


def _draws_chinese(path: Path) -> bool:
    from matplotlib import ft2font

    try:
        face = ft2font.FT2Font(str(path))
    except (OSError, RuntimeError):
        return False
    return all(face.get_char_index(ord(c)) for c in SAMPLE)


def _font_files() -> Iterator[Path]:
    """Candidate files: fontconfig's pick for Chinese first, then the known names."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run([fc_match, "-f", "%{file}", "sans-serif:lang=zh-cn"],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            yield Path(found)
    wanted = {name.lower(): rank for rank, name in enumerate(CJK_FILES)}
    hits: list[tuple[int, str, Path]] = []
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                rank = wanted.get(name.lower())
                if rank is not None:
                    hits.append((rank, str(Path(dirpath, name)), Path(dirpath, name)))
    yield from (path for _rank, _name, path in sorted(hits))


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a CJK font loaded from its file, or None (warned once)."""
    from matplotlib import font_manager

    for path in _font_files():
        if path.is_file() and _draws_chinese(path):
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    print("warning: no Chinese font found (install fonts-noto-cjk); chart labels may show "
          "as boxes / 未找到中文字体，图表文字可能无法显示", file=sys.stderr)
    return None


def score_chart(names: list[str], scores: list[float], title: str = "") -> bytes:
    """Horizontal bars of township scores, best at the top."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    font = cjk_font()
    # The loaded family by name: matplotlib then looks up nothing else, and so warns
    # about nothing else.
    rc = {"font.family": [font] if font else ["sans-serif"],
          "axes.unicode_minus": False, "svg.hashsalt": "speechgen"}
    height = max(2.5, 0.32 * len(names) + 1.0)
    with plt.rc_context(rc), warnings.catch_warnings():
        if font is None:  # said once already: not once more per character
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
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
