"""Document planning for the government plenary speech (县政府全体会议, seed 001 shape).

The period is summed up in two words, 势头好 and 压力大: the indicators placed as
achievements and as shortfalls, each side grouped under two to four headings the
planner picks from the report cards they belong to (经济运行稳 / 发展动能足 /
民生保障好 …). Key projects and 招商引资 get a section of their own with the
laggards named; then one section per task theme, its items said as 一要/二要/三要
with who leads and who carries them out. Words are in plenary_speech.md.j2.
"""

from __future__ import annotations

from generator.planning.sentences import indicator_sentence, mark_superlatives, vary
from generator.planning.standing import investment_laggards

# (group, words that put a report card in it, heading when good, heading when bad).
# A card that matches none joins "development".
GROUPS = (
    ("economy", ("经济", "财政", "投资", "工业"), "经济运行稳", "稳增长的基础还不牢"),
    ("development", ("改革", "创新", "文化", "旅游", "营商", "开放", "产业"), "发展动能足",
     "促转型的短板还比较突出"),
    ("people", ("民生", "平安", "生态", "社会", "就业", "教育", "安全", "环境"), "民生保障好",
     "守底线的压力不小"),
    ("party", ("党建", "党风", "廉政", "作风", "组织"), "党的建设强", "抓落实的作风还需改进"),
)
# The good heading of a field that also has shortfalls.
MIXED = {"economy": "经济运行有亮点", "development": "发展动能有所增强", "people": "民生保障有进展",
         "party": "党的建设有成效"}
# Sentences said under one heading; the rest are named.
PER_GROUP = 3
# A summary sentence is heard in passing: fewer statements than a section sentence.
SUMMARY_LEAD = 3


def group_of(card: str) -> str:
    for key, words, _, _ in GROUPS:
        if any(w in card for w in words):
            return key
    return "development"


def _groups(items: list[dict], side: str, everyone: list[dict], code: str) -> list[dict]:
    heading = {key: (good if side == "achievement" else bad) for key, _, good, bad in GROUPS}
    out = []
    for key, *_ in GROUPS:
        members = [f for f in items if group_of(f["card"]) == key]
        if not members:
            continue
        planned = [indicator_sentence(f, side, code, max_lead=SUMMARY_LEAD) for f in members]
        planned = [p for p in planned if p["lead"]]
        mark_superlatives(planned, everyone)
        strongest = sorted(planned, key=lambda p: -sum(x["salience"] for x in p["lead"]))[:PER_GROUP]
        kept = [p for p in planned if p in strongest]
        out.append({"key": key, "heading": heading[key], "sentences": kept,
                    "rest": [p["f"]["name"] for p in planned if p not in strongest]})
    out = [g for g in out if g["sentences"]]
    vary([p for g in out for p in g["sentences"]])  # heard one after another
    return out


def _investment(ip: dict | None) -> dict | None:
    if not ip:
        return None
    towns = ip.get("townships")
    return {
        "signed": ip["signed"], "started": ip["started"], "start_rate": ip["start_rate"],
        "funds": ip["funds"],
        **investment_laggards(ip),
        "behind_count": len(towns["behind"]) if towns else 0,
        "town_count": towns["assessed_count"] if towns else 0,
    }


def _duty(entry: dict) -> dict:
    """Who answers for a task item: 由…牵头，…具体负责 / …牵头，…配合."""
    units = [u for u in entry.get("units") or [] if u != entry["lead"]]
    return {"leader": entry.get("leader") or "", "lead": entry["lead"], "units": units}


def plan_plenary(facts: dict, base: dict) -> dict:
    """The plenary speech's plan, from the facts and the quarterly speech's plan (`base`)."""
    meta, inds = facts["meta"], facts["indicators"]
    code = meta["period_code"]
    momentum = _groups(facts["achievements"], "achievement", inds, code)
    pressure = _groups(facts["shortfalls"], "shortfall", inds, code)
    # 经济运行稳 is not earned while the same field is also under pressure: then it has bright spots
    pressed = {g["key"] for g in pressure}
    for g in momentum:
        if g["key"] in pressed:
            g["heading"] = MIXED[g["key"]]
    projects = facts["projects"]
    investment = _investment(facts.get("investment_promotion"))
    tasks = [{"theme": t["theme"],
              "entries": [{**e, "duty": _duty(e)} for e in t["entries"]]} for t in base["tasks"]]
    has_projects = bool(projects["count"]) or investment is not None
    sections = 1 + int(has_projects) + len(tasks)
    return {
        "tone": base["tone"], "closing": base["closing"],
        "momentum": momentum, "pressure": pressure,
        "projects": {"present": bool(projects["count"]), "facts": projects,
                     "slow": [p for p in projects["behind"] if p["started"]],
                     "not_started": projects["not_started"]},
        "investment": investment,
        "has_projects": has_projects,
        "tasks": tasks,
        "section_count": sections,
    }
