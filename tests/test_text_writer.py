from generator.document.reader import parse
from generator.document.model import (
    DocMeta, Document, Heading, Image, PageBreak, Paragraph, Run, Table, Title,
)
from generator.writers.text import to_markdown, to_text

SPEECH = """\
# 在全县工作例会上的讲话

## 总体情况

全县经济运行平稳。

## 存在问题

投资增速回落。

### 投资

项目开工不足。

## 下步工作

抓好项目建设。
"""

NOTICE = Document(
    meta=DocMeta(kind="notice", issuer="中共青山县委办公室", doc_number="青委办〔2024〕12号",
                 cc="县人大常委会办公室，县政府办公室", printer="中共青山县委办公室",
                 print_date="2024年7月16日"),
    blocks=(Title("关于赛马比拼情况的通报"),
            Paragraph((Run("各乡镇："),), "salutation"),
            Paragraph((Run("现通报如下。"),))),
)

TABLE = Table(header=("乡镇", "得分", "等次"),
              rows=(("东山镇", "96.5", "A"), ("A|B镇", "8.0", "B")),
              align=("left", "right", "center"), caption="乡镇得分")


def test_markdown_headings_carry_generated_numbers():
    md = to_markdown(parse(SPEECH))
    assert [line for line in md.splitlines() if line.startswith("#")] == [
        "# 在全县工作例会上的讲话", "## 一、总体情况", "## 二、存在问题", "### （一）投资",
        "## 三、下步工作"]


def test_an_omitted_section_leaves_no_gap_in_the_numbers():
    without_problems = SPEECH.replace("## 存在问题\n\n投资增速回落。\n\n### 投资\n\n项目开工不足。\n\n", "")
    md = to_markdown(parse(without_problems))
    assert [line for line in md.splitlines() if line.startswith("#")] == [
        "# 在全县工作例会上的讲话", "## 一、总体情况", "## 二、下步工作"]


def test_a_title_restarts_the_numbers():
    doc = Document(DocMeta(), (Title("甲"), Heading(1, (Run("一节"),)), PageBreak(),
                               Title("乙"), Heading(1, (Run("又一节"),))))
    assert to_markdown(doc) == "# 甲\n\n## 一、一节\n\n* * *\n\n# 乙\n\n## 一、又一节\n"


def test_text_speech_layout():
    doc = parse("# 讲话\n\n{.speaker}\n张某某\n\n{.salutation}\n同志们：\n\n"
                "## 总体情况\n\n全县**经济**运行平稳。\n\n{.signature}\n县委办公室\n")
    # A 28-character line: 讲话 has 13 full-width spaces either side; the signature
    # ends at the right margin.
    assert to_text(doc) == (
        "　" * 13 + "讲话\n"
        "\n"
        + "　" * 12 + "张某某\n"
        "同志们：\n"
        "　　一、总体情况\n"
        "　　全县经济运行平稳。\n"
        + "　" * 23 + "县委办公室\n")


def test_text_notice_has_header_before_and_banji_after():
    assert to_text(NOTICE) == (
        "　　　　　　　　　中共青山县委办公室\n"
        "　　　　　　　　　青委办〔2024〕12号\n"
        "\n"
        "　　　　　　　　关于赛马比拼情况的通报\n"
        "\n"
        "各乡镇：\n"
        "　　现通报如下。\n"
        "\n"
        "抄送：县人大常委会办公室，县政府办公室。\n"
        "中共青山县委办公室　　2024年7月16日印发\n")


def test_markdown_notice_has_header_before_and_banji_after():
    assert to_markdown(NOTICE) == (
        "中共青山县委办公室\n\n青委办〔2024〕12号\n\n# 关于赛马比拼情况的通报\n\n"
        "各乡镇：\n\n现通报如下。\n\n"
        "抄送：县人大常委会办公室，县政府办公室。\n\n中共青山县委办公室　　2024年7月16日印发\n")


def test_a_speech_prints_no_notice_lines_even_with_an_issuer():
    doc = Document(DocMeta(kind="speech", issuer="县委办", cc="县政府办"), (Paragraph((Run("正文"),)),))
    assert to_text(doc) == "　　正文\n"
    assert to_markdown(doc) == "正文\n"


def test_markdown_table_has_caption_alignment_row_and_escaped_pipes():
    doc = Document(DocMeta(), (TABLE,))
    assert to_markdown(doc) == (
        "表：乡镇得分\n\n"
        "| 乡镇 | 得分 | 等次 |\n"
        "| :--- | ---: | :---: |\n"
        "| 东山镇 | 96.5 | A |\n"
        "| A\\|B镇 | 8.0 | B |\n")


def test_text_table_pads_columns_by_display_width_and_alignment():
    doc = Document(DocMeta(), (Paragraph((Run("见下表。"),)), TABLE, Paragraph((Run("完。"),))))
    assert to_text(doc) == (
        "　　见下表。\n"
        "\n"
        "　　　　　　　　　　　　乡镇得分\n"
        "乡镇    得分  等次\n"
        "东山镇  96.5   A\n"
        "A|B镇    8.0   B\n"
        "\n"
        "　　完。\n")


def test_page_break_and_image_in_both_formats():
    doc = Document(DocMeta(), (Paragraph((Run("甲"),)), PageBreak(), Image("trend", "图1 趋势")))
    assert to_markdown(doc) == "甲\n\n* * *\n\n![图1 趋势](asset:trend)\n"
    assert to_text(doc) == "　　甲\n\f\n\n　　　　　　　　　[图 trend] 图1 趋势\n"


def test_output_ends_with_exactly_one_newline():
    for doc in (Document(DocMeta(), ()), parse(SPEECH), NOTICE,
                Document(DocMeta(), (Paragraph((Run("甲"),)), TABLE))):
        for text in (to_markdown(doc), to_text(doc)):
            assert text.endswith("\n") and not text.endswith("\n\n")


def test_bold_run_with_surrounding_spaces_keeps_the_spaces_outside_the_markers():
    doc = Document(DocMeta(), (Paragraph((Run("GDP"), Run(" grew ", bold=True), Run("4%"))),))
    assert to_markdown(doc) == "GDP **grew** 4%\n"


def test_markdown_round_trips_through_the_parser_for_unnumbered_body_documents():
    doc = Document(DocMeta(), (
        Title("关于A*B镇的报告"),
        Paragraph((Run("全县"), Run("地区生产总值", bold=True), Run("增长4.2%，[注]<见附件>_x_&amp;"))),
        Paragraph((Run("1. 不是列表"),)),
        Paragraph((Run("- 不是列表"),)),
        Paragraph((Run("#1车间"),)),
        Paragraph((Run("{.note}"),)),
        Paragraph((Run("> 不是引用"),)),
        TABLE,
        Image("trend", "图1 趋势"),
        PageBreak(),
        Paragraph((Run("完。"),)),
    ))
    assert parse(to_markdown(doc)).blocks == doc.blocks


def test_markdown_of_a_parsed_document_is_stable_through_a_second_pass():
    # Numbers are added on every write, so compare the document without headings.
    markup = "# 标题\n\n{.note}\n数据来源：县统计局。\n\n" + "表：得分\n\n| 甲 | 乙 |\n|:-:|--:|\n| 1 | 2 |\n"
    once = to_markdown(parse(markup))
    assert to_markdown(parse(once)) == once
