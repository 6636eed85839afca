"""A synthetic county of N townships in the indicators.yaml contract, for benchmarks.

Twenty township indicators with weights summing to 100, two of them "better: lower"
(ceilings such as 信访案件数); each township has a size that scales its targets, a
completion around 序时进度 (50% at 2024-Q2) and, now and then, a figure not reported.
The same N and seed give the same file, byte for byte.

    python bench/synthetic.py 500 > county.yaml
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

# id, name, unit, weight, better, typical annual target of a mid-sized township
INDICATORS = (
    ("investment", "固定资产投资", "万元", 8, "higher", 60000),
    ("industrial_investment", "工业投资", "万元", 6, "higher", 25000),
    ("attracted", "招商引资到位资金", "万元", 8, "higher", 40000),
    ("industry_output", "规上工业产值", "万元", 8, "higher", 220000),
    ("industry_value_added", "规上工业增加值", "万元", 5, "higher", 52000),
    ("retail", "社会消费品零售总额", "万元", 5, "higher", 90000),
    ("revenue", "一般公共预算收入", "万元", 8, "higher", 8000),
    ("tax", "税收收入", "万元", 5, "higher", 6000),
    ("new_entities", "新增市场主体", "户", 4, "higher", 600),
    ("new_enterprises", "新增规上企业", "家", 4, "higher", 6),
    ("rural_income", "农村居民人均可支配收入", "元", 5, "higher", 21000),
    ("grain_area", "粮食播种面积", "亩", 3, "higher", 42000),
    ("farmland", "高标准农田建设", "亩", 3, "higher", 5000),
    ("new_jobs", "城镇新增就业", "人", 4, "higher", 800),
    ("migrant_jobs", "农村劳动力转移就业", "人", 3, "higher", 1500),
    ("key_projects", "重点项目投资", "万元", 6, "higher", 35000),
    ("rural_roads", "新建改建农村公路", "公里", 3, "higher", 30),
    ("afforestation", "植树造林", "亩", 4, "higher", 2500),
    ("petitions", "信访案件数", "件", 5, "lower", 24),
    ("accidents", "安全生产事故数", "起", 3, "lower", 4),
)
assert sum(i[3] for i in INDICATORS) == 100

# Two characters and a suffix give over 10,000 distinct, plausible names.
_FIRST = "东西南北中上下新老大小青白红黄金石龙凤马牛羊桃李柳松竹梅兰菊清长安平和永兴福寿太仁义礼嘉丰宝德广华云天高明双三文武春秋古乐富吉星花"
_SECOND = "山河湖塘岭坪溪桥湾洲坝口沟岗庄营铺店寨关堡林园田泉水峰江滩岩坡源港渡池井台阳峪岙垭坑场集屯"
_SUFFIX = ("镇", "乡", "街道", "社区")

# County indicators: id, name, card, unit, value, growth, rank, grade, target growth
_COUNTY = (
    ("gdp", "地区生产总值", "经济", "亿元", 156.3, 4.2, 28, "D", 6.5),
    ("industry", "规上工业增加值", "经济", "亿元", None, 7.8, 9, "B", 8.0),
    ("fai", "固定资产投资", "经济", "亿元", 68.4, -3.6, 33, "E", 5.0),
    ("retail", "社会消费品零售总额", "经济", "亿元", 72.8, 5.6, 14, "C", 6.0),
    ("revenue", "一般公共预算收入", "经济", "亿元", 9.6, 3.1, 21, "C", 5.0),
    ("rural_income", "农村居民人均可支配收入", "民生", "元", 10850, 6.9, 7, "B", 7.0),
)


def township_names(n: int, rng: random.Random) -> list[str]:
    names = [f"{a}{b}{s}" for a in _FIRST for b in _SECOND for s in _SUFFIX]
    if n > len(names):
        raise ValueError(f"at most {len(names)} synthetic townships")
    return rng.sample(names, n)


def _figure(x: float) -> str:
    """Whole numbers as integers, like a statistics bureau's table."""
    return str(int(round(x)))


def _values(rng: random.Random, size: float) -> str:
    items = []
    for ind_id, _, unit, _, better, typical in INDICATORS:
        if unit == "元":  # incomes do not scale with the township's size
            target = typical * rng.uniform(0.85, 1.15)
        else:
            target = max(1.0, typical * size * rng.uniform(0.8, 1.2))
        if better == "lower":
            value = float(rng.randint(0, math.ceil(target * 0.7)))
        else:
            value = target * min(1.1, max(0.05, rng.gauss(0.5, 0.12)))
        shown = "null" if rng.random() < 0.01 else _figure(value)  # 未报送
        items.append(f"        {ind_id}: {{value: {shown}, target: {_figure(target)}}}")
    return "\n".join(items)


def county_yaml(n: int, seed: int = 2024) -> str:
    """The text of an indicators.yaml with n townships."""
    rng = random.Random(seed)
    out = [
        f"# synthetic county, {n} townships (bench/synthetic.py, seed {seed})",
        "meta:",
        "  region: 青山县",
        "  level: 县",
        "  period: 2024-Q2",
        "  scope: 全市",
        "  scope_size: 38",
        "  peers: [临江县, 石门县]",
        "  meeting: 全县2024年二季度工作例会",
        "  speaker: {title: 县委书记, name: 张某某}",
        "  date: 2024-07-15",
        "  issuer: 中共青山县委办公室",
        "  doc_number: 青委办〔2024〕12号",
        "indicators:",
    ]
    for ind_id, name, card, unit, value, growth, rank, grade, target in _COUNTY:
        shown = "" if value is None else f"value: {value}, "
        out.append(f"  {ind_id}: {{name: {name}, card: {card}, unit: {unit}, {shown}"
                   f"growth: {growth}, rank: {rank}, grade: {grade}, target: {{growth: {target}}}}}")
    out += ["townships:", "  indicators:"]
    for ind_id, name, unit, weight, better, _ in INDICATORS:
        lower = ", better: lower" if better == "lower" else ""
        out.append(f"    {ind_id}: {{name: {name}, unit: {unit}, weight: {weight}{lower}}}")
    out += ["  scoring: {method: completion, cap: 1.2, "
            "grades: {A: 0.2, B: 0.4, C: 0.6, D: 0.8, E: 1.0}}",
            "  units:"]
    names = township_names(n, rng)
    previous = list(range(1, n + 1))
    rng.shuffle(previous)
    for name, prev in zip(names, previous):
        size = math.exp(rng.gauss(0, 0.5))  # towns differ several-fold in size
        out += [f"    - name: {name}", f"      previous_rank: {prev}", "      values:",
                _values(rng, size)]
    return "\n".join(out) + "\n"


def write(path: str | Path, n: int, seed: int = 2024) -> Path:
    path = Path(path)
    path.write_text(county_yaml(n, seed), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(county_yaml(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
