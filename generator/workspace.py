"""`speechgen init DIR`: a working folder an office starts from.

Everything in it is a copy of what ships with the program (resources.py), so a
newcomer can run `speechgen speech` in it at once and then replace the sample
county with their own figures step by step, as 使用说明.md describes.

A folder that already holds files is refused unless the user says --force; even
then nothing is deleted and nothing the office changed is overwritten: files
init wrote before and nobody touched are refreshed, missing ones are added, and
edited ones are kept and listed. The office's data and templates are the work
of people; a command meant to start a folder must never be the one that loses
them. Which files init wrote, and their bytes, is the output manifest's job
(output.py), the same record that protects generated documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator import output, resources
from generator.errors import OutputError
from generator.render import catalogue

SHEET = "townships_2024Q2.xlsx"
MAPPING = "mapping.yaml"
# the city's comparison tables of its counties, this period and the last, and how to read them
COMPARISON = ("city_2024Q2.xlsx", "city_2024Q1.xlsx")
COMPARISON_MAP = "comparison.yaml"
DATA = "indicators.yaml"
REFERENCE = "reference.docx"
TEMPLATES = "speech_templates"
GUIDE = "使用说明.md"
TEMPLATES_NOTE = "说明.md"


@dataclass
class Result:
    folder: Path
    written: list[Path] = field(default_factory=list)  # new or refreshed
    kept: list[Path] = field(default_factory=list)  # the office's own or edited: left as they are


def create(folder: str | Path, force: bool = False) -> Result:
    """Fill `folder` with the sample county, its bureau sheet, templates and a guide."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError("this is a file, not a folder", "这是一个文件，不是文件夹", file=str(folder))
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputError(
            "the folder is not empty; choose a new folder, or add --force to add the missing "
            "files (nothing is deleted, and files you changed are kept)",
            "该文件夹不是空的：请换一个新文件夹，或加 --force 补齐缺少的文件"
            "（不会删除任何文件，改过的文件保持不变）", file=str(folder))
    result = Result(folder)
    for relative, data in _files():
        path = folder / relative
        if output.edited(path):
            result.kept.append(path)
            continue
        if path.exists() and path.read_bytes() == data:
            continue  # already what init would write: nothing to report
        output.atomic_write(path, data)
        output.record(path.parent, {path.name: data})
        result.written.append(path)
    return result


def _files() -> list[tuple[str, bytes]]:
    """(path inside the folder, bytes) for everything init writes, in the order it lists them."""
    files = [(DATA, commented_sample().encode("utf-8")),
             (MAPPING, _mapping(MAPPING).encode("utf-8")),
             (SHEET, (resources.SAMPLE_SHEETS / SHEET).read_bytes()),
             (COMPARISON_MAP, _mapping(COMPARISON_MAP).encode("utf-8")),
             *((name, (resources.SAMPLE_SHEETS / name).read_bytes()) for name in COMPARISON),
             (REFERENCE, resources.REFERENCE_DOCX.read_bytes())]
    for path in sorted(resources.TEMPLATES.glob("*" + catalogue.SUFFIX)):
        files.append((f"{TEMPLATES}/{path.name}", path.read_bytes()))
    files.append((f"{TEMPLATES}/{TEMPLATES_NOTE}", TEMPLATES_README.encode("utf-8")))
    files.append((GUIDE, GUIDE_TEXT.encode("utf-8")))
    return files


def _mapping(name: str) -> str:
    """A sample mapping, pointed at the folder's own indicators.yaml instead of the repo's."""
    text = (resources.SAMPLE_SHEETS / name).read_text(encoding="utf-8")
    text, bases = re.subn(r"^base: \S+", f"base: {DATA}", text, count=1, flags=re.M)
    if not bases:  # the sample changed shape: better to fail here than ship a broken folder
        raise RuntimeError(f"{name} in the samples has no base: line")
    return text.replace("examples/", "")


# ------------------------------------------------------------ the commented sample

# What a key means, said once, above its first appearance. Paths collapse indicator
# ids to * and list items to []; keys not listed are left to docs/data-format.md.
KEY_NOTES = {
    "meta": "基本信息：地区、时期、排名范围、会议和发文信息",
    "meta.region": "地区名称（报告单位）",
    "meta.level": "县、区或市：决定文中写“全县”“全区”还是“全市”",
    "meta.period": "时期：2024-Q2（季度）、2024-H1（半年）、2024-M05（月）或 2024（全年）；数据均为年初至期末累计",
    "meta.scope": "位次在哪个范围内排出",
    "meta.scope_size": "该范围内参与排名的单位数；所有位次都应在1到这个数之间",
    "meta.peers": "用来比较的兄弟县（可不填）；各指标 peers 下只能用这里列出的名称",
    "meta.meeting": "讲话所在的会议",
    "meta.speaker": "讲话人：title 职务，name 姓名",
    "meta.date": "讲话日期，也是通报的成文日期（年-月-日）",
    "meta.issuer": "通报的发文机关（以下四项只用于通报）",
    "meta.doc_number": "发文字号",
    "meta.addressees": "主送机关",
    "meta.cc": "版记中的抄送机关",
    "meta.print_date": "印发日期（不填则与 date 相同）",
    "meta.agenda": "讲话前的会议议程，讲话开头用“刚才，……”回顾（可不填）",
    "indicators": "县级指标：每项以一个id为键（如 gdp），文件中的顺序就是文中的顺序",
    "indicators.*": "指标id：各季度保持不变，任务（tasks）和模板靠它找到指标",
    "indicators.*.name": "指标名称",
    "indicators.*.card": "所属报表：党建、经济、平安、改革、创新、生态、文化、民生之一",
    "indicators.*.unit": '计量单位；"%" 表示数值本身是比率，其变化写作“个百分点”',
    "indicators.*.value": "本期累计值（不填表示没有数据）",
    "indicators.*.growth": "同比增长（%），下降写负数",
    "indicators.*.rank": "在 scope 范围内的位次，1为最好",
    "indicators.*.grade": "上级公布的档次，A最好、E最差",
    "indicators.*.target": "年度目标：growth 增速目标（%），value 总量目标（据此算完成率和序时进度），可只填一项",
    "indicators.*.previous": "上期（本例为一季度）的同类数据",
    "indicators.*.scope_average": "全市（scope）平均水平",
    "indicators.*.peers": "兄弟县的数据，名称须在 meta.peers 中",
    "indicators.*.lead": "牵头单位",
    "indicators.*.better": "lower 表示越低越好（失业率、事故起数等），比较方向随之反转",
    "indicators.*.decimals": "显示几位小数（不填则按单位推定）",
    "indicators.*.reason": "办公室对该指标表现的说明，讲话讲到短板时引用（主要原因是……）",
    "indicators.*.history": "更早各期的数据，由远及近；period 写 2023 表示上年全年（年度考核讲话回顾上年成绩时用）",
    "problem_lists": "上级公布的问题清单：rating 为好、较好、一般、较差、差之一，rank 本期位次，previous_rank 上期位次",
    "townships": "乡镇（街道）赛马比拼，成绩单和通报用",
    "townships.indicators": "乡镇考核指标：name 名称，unit 单位，weight 权重（合计一般为100），better: lower 表示越低越好",
    "townships.scoring": "计分：每项得分 = 权重 × min(完成率 ÷ 序时进度, cap)；grades 为各档次的最大位次占比",
    "townships.units": "各乡镇（街道）的数据，可用 speechgen import 从统计局表格生成（见 使用说明.md）",
    "townships.units[].name": "乡镇（街道）名称，不可重复",
    "townships.units[].previous_rank": "上期总排名（新设单位可不填）",
    "townships.units[].values": "各考核指标的本期累计值 value 与年度目标 target",
    "projects": "重点项目：lead 责任单位，planned 年度计划投资（亿元），completed 已完成投资（亿元），started 是否开工，"
                "township 所在乡镇（可不填），listed 本期新列入的上级重点项目盘子，如市、省（可不填）",
    "tasks": "下步工作任务，按主题分组，由办公室撰写",
    "tasks[].theme": "主题（讲话中的小标题）",
    "tasks[].items": "该主题下的任务",
    "tasks[].items[].text": "一句完整的任务表述",
    "tasks[].items[].lead": "牵头单位",
    "tasks[].items[].due": "完成时限（年-月-日）",
    "tasks[].items[].indicator": "相关指标的id（可不填）",
    "tasks[].items[].leader": "牵头的县级领导（可不填），讲话中写作“由……牵头”",
    "tasks[].items[].units": "具体负责的单位（可不填），讲话中写作“……具体负责”",
    "investment_promotion": "招商引资（金额单位亿元）：signed 新签约项目个数和金额，started 落地开工项目，"
                            "funds 到位资金 value 与年度任务 target",
    "investment_promotion.townships": "各乡镇（街道）招商引资到位资金 value 与年度任务 target（亿元）；没有到位资金填0",
    "departments": "县直部门赛马比拼（可不填）",
    "departments.units": "各部门：score 得分，rank 位次（不填则按得分排出，同分同位次），previous_rank 上期位次，grade 档次A–E",
    "highlights": "讲话中点名的经验做法：unit 单位，text 做法，indicator 相关指标id（可不填）",
    "assessment": "年度目标责任考核（年度考核讲话和表彰通报用）：等次为优秀、良好、一般、较差",
    "assessment.year": "被考核的年度",
    "assessment.meeting": "考核总结表彰会议的名称（不填则用 meta.meeting）",
    "assessment.date": "会议日期（不填则用 meta.date）",
    "assessment.agenda": "考核会议上讲话前的议程（刚才，……）",
    "assessment.county": "上级对本县的考核：group 考核分组，group_size 组内单位数，rank 组内位次，previous_rank 上年位次，grade 等次",
    "assessment.county.history": "更早年度的位次和等次；“近五年最好”等说法由此算出，不必自己写",
    "assessment.sub_assessments": "分项考核的等次，previous_grade 为上年等次",
    "assessment.units": "本县对乡镇（街道）和部门的考核：kind 类别（按类别分别统计），grade 等次，rank 类别内位次",
    "assessment.commendations": "表彰：title 称号，category 名单中的类别，units 受表彰单位",
    "assessment.result_use": "考核结果运用：grade 适用等次，measure 具体措施；讲话按等次从优到差排列",
    "assessment.notice": "表彰通报的发文信息（form 通报或决定），不填的项用 meta 中的",
    "rules": "认定成绩与短板的规则，每项都有默认值（见 docs/data-format.md）",
}

HEADER = """\
# 示例数据：虚构的青山县，由 speechgen init 生成。
# 把数字换成本地的数据，讲话稿、通报和成绩单就都按本地数据生成；
# 每个键的含义写在它第一次出现的上一行，完整说明见项目的 docs/data-format.md。
# 规则：缩进用空格不用Tab；冒号用英文半角并后跟空格；数字不带单位；留空表示没有数据。
# 每季度改完后先运行 speechgen validate 检查，出错会指出行号和键名。
"""

_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- )?(?P<key>[A-Za-z_][\w]*):(?:\s|$)")


def _note_path(parts: list[str]) -> str:
    if parts[0] == "indicators" and len(parts) > 1:
        parts = ["indicators", "*"] + parts[2:]
    return ".".join(parts).replace(".[]", "[]")


def commented_sample() -> str:
    """The sample county with a Chinese note above the first use of every key."""
    lines = resources.SAMPLE_DATA.read_text(encoding="utf-8").splitlines()
    out = HEADER.splitlines()
    # The sample's own header repeats the repository's paths; the workspace has its own.
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    stack: list[tuple[int, str]] = []  # (indent of the key, key or "[]" for a list item)
    said: set[str] = set()
    for line in lines:
        match = _KEY_LINE.match(line)
        if match:
            indent = len(match["indent"])
            if match["dash"]:
                while stack and stack[-1][0] >= indent + 1:
                    stack.pop()
                stack.append((indent + 1, "[]"))
                indent += 2
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, match["key"]))
            path = _note_path([key for _, key in stack])
            note = KEY_NOTES.get(path)
            if note and path not in said:
                said.add(path)
                out.append(" " * len(match["indent"]) + "# " + note)
        out.append(line)
    return "\n".join(out) + "\n"


TEMPLATES_README = """\
# 模板说明

这里是内置模板的副本，可以直接修改：

- 运行 speechgen 时，**当前文件夹下 speech_templates/ 里的模板优先于同名的内置模板**。
  改了 quarterly_speech.md.j2，讲话稿就按这里的写；删掉它，又用回内置的。
- `speechgen templates` 列出能用的模板，以及每个名称实际用的是哪一份。
- 以 _ 开头的文件（_phrases.md.j2 等）是共用的语句片段，被其他模板引用，
  同样是这里的副本优先。
- 模板只写文字，不做计算：数字都来自数据，由过滤器写成中文（见项目的 docs/templates.md）。
- 想另写一份而不替换原来的，就换个文件名（如 my_speech.md.j2），
  用 `speechgen speech --template my_speech` 生成。
"""

GUIDE_TEXT = f"""\
# 使用说明：从统计局表格到讲话稿、通报和成绩单

这个文件夹由 `speechgen init` 生成，里面是一个虚构的县（青山县）的全套示例，
可以先原样生成一遍，看清每份材料的样子，再换成本地的数据。

| 文件 | 用途 |
| --- | --- |
| {DATA} | 指标数据：基本信息、县级指标、乡镇赛马、重点项目、下步任务（每个键都有中文注释） |
| {SHEET} | 统计局报来的乡镇表格（示例） |
| {MAPPING} | 说明怎样读这张表格：哪个工作表、表头几行、哪一列是哪个指标 |
| {COMPARISON[0]}、{COMPARISON[1]} | 市里发来的各县（市、区）指标对比表（示例）：本期和上期，每张报表一个工作表 |
| {COMPARISON_MAP} | 说明怎样读对比表：哪一行是本县、哪一行是全市平均、哪一列是哪个指标 |
| {TEMPLATES}/ | 讲话稿、通报、成绩单的模板，可以修改，优先于内置模板（见其中的 {TEMPLATES_NOTE}） |
| {REFERENCE} | 样式参考文档：字体、字号、页边距等，可以在 Word 里修改 |

## 第一步：先用示例生成一遍

在本文件夹中运行：

```sh
speechgen speech        # 讲话稿 → output/青山县_2024-Q2_讲话.docx
speechgen notice        # 通报   → output/青山县_2024-Q2_通报.docx
speechgen scorecards    # 成绩单 → output/青山县_2024-Q2_成绩单/（每个乡镇一份）
```

## 第二步：填县级指标

打开 {DATA}，改 `meta` 里的地区、时期、会议、讲话人和日期，再按市里公布的数据
改 `indicators` 里各项指标的本期值、增速、位次和档次。每个键的含义写在它上面的注释里。
改完后检查：

```sh
speechgen validate
```

有错会指出行号、键名以及应填什么，例如 `indicators.yaml:41: indicators.gdp.growth: 应为数字，实际为"4.2%"`。

## 第三步：导入统计局的乡镇表格

1. 把统计局发来的表格（.xlsx 或 .csv）放进本文件夹。
2. 对照表格修改 {MAPPING}：`sheet` 工作表名，`skip_rows` 表头上方的标题行数，
   `header_rows` 表头行数，`name_column` 乡镇名称所在列，`indicators` 下每个指标的
   本期、目标所在列（按表头文字写）。
3. 转换成数据文件，打开检查一遍：

   ```sh
   speechgen import 乡镇表格.xlsx --map {MAPPING} -o 2024-Q3.yaml
   ```

   生成的文件 = {DATA} 中的基本信息和县级指标 + 表格中的乡镇数据。
   表格有问题时，会指出是哪个工作表、哪一行、哪一列（与 Excel 中看到的一致）。

   市里的对比表也可以一起导入，县级指标的位次、档次、全市平均和兄弟县就从表里来
   （位次按表中的增速重新排出，与表上印的不一致时会列出来）：

   ```sh
   speechgen import {SHEET} --map {MAPPING} --compare {COMPARISON[0]} --compare-map {COMPARISON_MAP} --previous {COMPARISON[1]} -o 2024-Q2.yaml
   ```

## 第四步：生成材料

```sh
speechgen speech --data 2024-Q3.yaml
speechgen notice --data 2024-Q3.yaml
speechgen scorecards --data 2024-Q3.yaml            # 另加 --merged 生成汇编本，--zip 打包
```

也可以不转换，直接用表格：`speechgen speech --data 乡镇表格.xlsx --map {MAPPING}`。

## 年度考核总结表彰

{DATA} 中的 `assessment`（年度目标责任考核结果、表彰名单、结果运用）用于另外两份材料：

```sh
speechgen speech --template assessment_speech     # 考核总结表彰会议讲话 → output/青山县_2024-Q2_考核表彰讲话.docx
speechgen notice --template commendation_notice   # 表彰通报（或决定）   → output/青山县_2024-Q2_表彰通报.docx
```

数据里没有 `assessment` 时会提示缺少哪一部分，不会生成空的章节。`speechgen templates` 列出每个模板需要的数据。

## 调整文字和样式

- **文字**：改 {TEMPLATES}/ 里的模板（见 {TEMPLATES}/{TEMPLATES_NOTE}）；`speechgen templates` 列出用的是哪一份。
- **样式**：在 Word 里打开 {REFERENCE}，修改其中的样式（正文、标题1—4等），保存后生成时加上
  `--reference-doc {REFERENCE}`，例如 `speechgen speech --reference-doc {REFERENCE}`。
  不加这个选项时用内置的 GB/T 9704 样式。

## 放心修改

- 生成的文档在 Word 里改过以后，再次生成时不会被覆盖（会提示），确需覆盖加 `--force`。
- 再次运行 `speechgen init --force` 只补上缺少的文件，不删除任何文件，改过的文件保持不变。
"""
