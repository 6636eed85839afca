"""What the signs of the derived figures mean, said once for the `facts` table and the workbook.

The conventions are the facts stage's (facts/analysis.py, facts/schedule.py):
rank_move is previous − current, so positive is a climb; schedule_gap is how
far a figure is behind its schedule line, so positive is behind. A reader of a
bare table cannot guess either, so both outputs print this key.
"""

from __future__ import annotations


def lines(schedule: float | None) -> list[tuple[str, str]]:
    """(term, meaning) pairs in Chinese, the schedule line of the period named."""
    line = f"（本期为{schedule * 100:.0f}%）" if schedule is not None else ""
    return [
        ("位次", "在考核范围内的名次，1为最好"),
        ("位次变化", "上期位次减本期位次：正数为上升（名次前移），负数为下降，0为位次不变"),
        ("增速变化", "本期增速减上期增速，单位为个百分点：正数为加快，负数为回落"),
        ("完成率", "本期累计值除以年度目标值"),
        ("序时进度", f"到本期末已过去的全年时间比例{line}"),
        ("序时差", "完成率落后于序时进度的个百分点：正数为落后，负数为超前；"
                   "“越低越好”的指标（如事故数）以控制线计，超出为正；"
                   "水平类指标（如比率）为距年度目标的差距"),
        ("—／空白", "数据中没有这一项"),
    ]


def text(schedule: float | None) -> list[str]:
    """The key as lines for a terminal, under the table."""
    return ["说明 / key:"] + [f"  {term}：{meaning}" for term, meaning in lines(schedule)]
