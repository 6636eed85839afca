"""The quarterly speech speaks of the contract's new blocks where they add to it:
招商引资, the departments' race and the office's 经验做法."""

from pathlib import Path

import yaml

from generator import pipeline

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"


def _speech(path: Path) -> str:
    return pipeline.speech(path, fmt="md").data.decode("utf-8")


def _variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_departments_race_names_the_first_and_the_last():
    text = _speech(DATA)
    part = text[text.index("部门比拼争先进位"):]
    para = part.split("\n\n")[1]
    assert para.startswith("15个县直部门赛马比拼中，县财政局、县投资促进中心和县文化旅游委位列前3名")
    assert "县商务局、县科技局和县生态环境局排在后3位" in para
    # a rise of one or two places is no progress worth naming
    assert "县经济信息委" not in para


def test_highlights_are_named_but_never_beside_a_shortfall(tmp_path):
    text = _speech(DATA)
    assert "县财政局对税收贡献前50名的企业实行“一企一策”跟踪服务，一般公共预算收入表现较好。" in text
    # pointed at a shortfall, an 经验做法 would contradict the figures: it is left out
    def point_at_fai(d):
        d["highlights"][0]["indicator"] = "fai"
    assert "一企一策" not in _speech(_variant(tmp_path, point_at_fai))


def test_investment_said_on_the_side_its_funds_earn(tmp_path):
    good = _speech(DATA)
    assert "### （四）招商引资势头较好" in good or "招商引资势头较好" in good
    assert "签约项目26个、协议金额68.5亿元，开工19个、开工率73.1%" in good

    def fall_behind(d):
        ip = d["investment_promotion"]
        ip["funds"] = {"value": 20.0, "target": 80.0}
    text = _speech(_variant(tmp_path, fall_behind))
    assert "招商引资势头较好" not in text
    part = text[text.index("招商引资进度偏慢"):].split("\n\n")[1]
    assert "到位资金20.0亿元，完成年度任务的25.0%，落后序时进度25.0个百分点" in part
    assert "黄土岭乡、白云乡和桃源乡完成率分别只有16.0%、25.0%和27.5%" in part


def _task(text: str, start: str) -> str:
    line = next(p for p in text.split("\n\n") if p.startswith(start))
    return line


def test_a_task_naming_a_late_project_speaks_of_the_project_not_of_its_good_indicator(tmp_path):
    item = _task(_speech(DATA), "**二要倒排工期推动新能源电池材料产业园一期")
    assert "这个项目至今还没有开工" in item
    assert "势头较好" not in item  # 招商引资到位资金 is good, but this task says the project is late

    def started_but_slow(d):
        p = next(p for p in d["projects"] if p["name"] == "新能源电池材料产业园一期")
        p.update(started=True, completed=0.5)

    item = _task(_speech(_variant(tmp_path, started_but_slow)), "**二要倒排工期推动新能源电池材料产业园一期")
    assert "这个项目投资进度落后于序时" in item and "没有开工" not in item

    def on_track(d):
        p = next(p for p in d["projects"] if p["name"] == "新能源电池材料产业园一期")
        p.update(started=True, completed=p["planned"])

    item = _task(_speech(_variant(tmp_path, on_track)), "**二要倒排工期推动新能源电池材料产业园一期")
    assert "这个项目" not in item and "招商引资到位资金势头较好" in item


def test_a_shortfalls_note_stays_when_its_task_names_a_late_project(tmp_path):
    def to_fai(d):
        for theme in d["tasks"]:
            for it in theme["items"]:
                if it["text"].startswith("倒排工期"):
                    it["indicator"] = "fai"
        for theme in d["tasks"]:  # the other task on fai no longer speaks of it first
            for it in theme["items"]:
                if it.get("indicator") == "fai" and not it["text"].startswith("倒排工期"):
                    it.pop("indicator")

    item = _task(_speech(_variant(tmp_path, to_fai)), "**二要倒排工期推动新能源电池材料产业园一期")
    assert item.split("**")[2].startswith("固定资产投资") and "这个项目" not in item
