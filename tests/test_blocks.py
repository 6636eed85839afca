import pytest

from generator.document.reader import parse
from generator.errors import TemplateError
from generator.document.model import DocMeta, Heading, Image, PageBreak, Paragraph, Run, Table, Title


def blocks(markup: str) -> tuple:
    return parse(markup).blocks


def error(markup: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse(markup, source="tpl/speech.md.j2")
    return info.value


def body(text: str, bold: bool = False) -> Paragraph:
    return Paragraph((Run(text, bold),))


# ---------------------------------------------------------------- headings

def test_hash_is_the_title_and_bold_is_flattened():
    assert blocks("# 在全县**二季度**工作例会上的讲话") == (Title("在全县二季度工作例会上的讲话"),)


def test_heading_levels_two_to_five_are_levels_one_to_four():
    markup = "## 甲\n\n### 乙\n\n#### 丙\n\n##### 丁\n"
    assert blocks(markup) == (Heading(1, (Run("甲"),)), Heading(2, (Run("乙"),)),
                              Heading(3, (Run("丙"),)), Heading(4, (Run("丁"),)))


def test_heading_keeps_bold_runs():
    assert blocks("#### 抓**项目**建设\n") == (
        Heading(3, (Run("抓"), Run("项目", bold=True), Run("建设"))),)


def test_level_six_heading_is_an_error_with_its_line():
    err = error("# 标题\n\n## 一\n\n###### 太深\n")
    assert (err.file, err.line) == ("tpl/speech.md.j2", 5)
    assert "heading levels go to 4" in err.en


def test_empty_heading_is_an_error_with_its_line():
    err = error("## 总体情况\n\n正文。\n\n### \n")
    assert err.line == 5
    assert "empty heading" in err.en


def test_underlined_heading_is_an_error_since_it_hides_a_missing_blank_line():
    err = error("正文。\n\n一段话\n---\n")
    assert err.line == 3
    assert "setext" in err.en


# ---------------------------------------------------------------- paragraphs and roles

def test_plain_paragraph_is_body():
    assert blocks("同志们，现在开会。\n") == (body("同志们，现在开会。"),)


@pytest.mark.parametrize("role", ["speaker", "salutation", "center", "signature", "note", "body"])
def test_attribute_line_sets_the_paragraph_role(role):
    assert blocks(f"{{.{role}}}\n甲乙\n\n丙丁\n") == (Paragraph((Run("甲乙"),), role), body("丙丁"))


def test_unknown_role_is_an_error_at_the_attribute_line():
    err = error("# 标题\n\n{.footer}\n\n落款\n")
    assert err.line == 3
    assert "{.footer}" in err.en


def test_block_attributes_on_a_heading_are_an_error():
    err = error("# 标题\n\n{.center}\n## 一\n")
    assert err.line == 3
    assert "only for paragraphs" in err.en


def test_em_is_plain_and_adjacent_runs_with_same_bold_merge():
    assert blocks("全县*经济*运行**一是**[**抓项目**](https://x.cn)。\n") == (
        Paragraph((Run("全县经济运行"), Run("一是抓项目", bold=True), Run("。"))),)


def test_line_break_between_chinese_characters_vanishes():
    assert blocks("全县经济\n运行总体平稳，\n稳中有进。\n") == (body("全县经济运行总体平稳，稳中有进。"),)


def test_line_break_between_latin_words_is_a_space():
    assert blocks("GDP growth\nwas slow\n") == (body("GDP growth was slow"),)


def test_line_break_next_to_chinese_on_one_side_vanishes():
    # Chinese prose has no space before a figure: 增长4.2%, never 增长 4.2%.
    assert blocks("同比增长\n4.2%，使用\nWord软件\n") == (body("同比增长4.2%，使用Word软件"),)


def test_hard_break_joins_like_a_soft_break():
    assert blocks("全县经济\\\n运行平稳\n") == (body("全县经济运行平稳"),)


def test_backslash_escapes_keep_data_literal():
    assert blocks("A\\*B镇、\\#1车间和\\<东区\\>位列\\[前三\\]\n") == (
        body("A*B镇、#1车间和<东区>位列[前三]"),)


def test_unpaired_star_is_an_error_naming_its_line():
    # CommonMark does not close ** after 。 when a character follows; that ** must not
    # reach a reader.
    err = error("# 标题\n\n第一行\n**一是抓项目。**全年\n")
    assert err.line == 4
    assert "unpaired *" in err.en


def test_code_and_links_keep_only_their_text():
    assert blocks("详见`附件1`和[县统计局](https://tjj.example.cn)及<https://x.cn>\n") == (
        body("详见附件1和县统计局及https://x.cn"),)


def test_surrounding_whitespace_including_full_width_indent_is_stripped():
    assert blocks("　　全县经济运行平稳。　\n") == (body("全县经济运行平稳。"),)


def test_list_items_become_body_paragraphs():
    assert blocks("- 甲项\n- **乙项**\n\n3. 丙项\n4. 丁项\n") == (
        body("甲项"), body("乙项", bold=True), body("丙项"), body("丁项"))


def test_blockquote_paragraphs_become_body_paragraphs():
    assert blocks("> 引文一\n>\n> 引文二\n") == (body("引文一"), body("引文二"))


# ---------------------------------------------------------------- tables

TABLE = """\
| 乡镇 | 得分 | 排名 | 等次 |
|:--|--:|:-:|---|
| 东山镇 | **96.5** | 1 | A |
| A\\|B镇 | `80.0` | 2 | [B](https://x.cn) |
"""


def test_pipe_table_with_alignment_and_flattened_cells():
    assert blocks(TABLE) == (Table(
        header=("乡镇", "得分", "排名", "等次"),
        rows=(("东山镇", "96.5", "1", "A"), ("A|B镇", "80.0", "2", "B")),
        align=("left", "right", "center", "left")),)


@pytest.mark.parametrize("line", ["Table: 乡镇得分", "表：乡镇得分"])
def test_caption_paragraph_directly_above_a_table_becomes_its_caption(line):
    (table,) = blocks(f"{line}\n\n{TABLE}")
    assert table.caption == "乡镇得分"


def test_caption_line_not_followed_by_a_table_stays_a_paragraph():
    assert blocks("表：乡镇得分\n\n正文。\n") == (body("表：乡镇得分"), body("正文。"))


# ---------------------------------------------------------------- images and breaks

def test_image_paragraph_names_an_asset_and_keeps_a_chinese_key():
    assert blocks("![图1 各乡镇得分\\*](asset:图1)\n") == (Image(asset="图1", caption="图1 各乡镇得分*"),)


@pytest.mark.parametrize("url",
                         ["https://example.cn/a.png", "file:///tmp/a.png", "a.png", "asset:"])
def test_image_outside_the_assets_is_an_error(url):
    err = error(f"正文。\n\n![图](<{url}>)\n")
    assert err.line == 3
    assert "asset:<key>" in err.en


def test_image_inside_text_is_an_error():
    err = error("见下图![图](asset:k)。\n")
    assert err.line == 1
    assert "alone in its paragraph" in err.en


def test_thematic_breaks_are_page_breaks_and_top_dashes_are_front_matter():
    markup = "---\nkind: scorecard\n---\n甲\n\n***\n\n乙\n\n---\n\n丙\n"
    doc = parse(markup)
    assert doc.meta.kind == "scorecard"
    assert doc.blocks == (body("甲"), PageBreak(), body("乙"), PageBreak(), body("丙"))


# ---------------------------------------------------------------- forbidden markup

def test_html_block_is_an_error_with_its_line():
    err = error("# 标题\n\n<div>正文</div>\n")
    assert err.line == 3
    assert err.en == "raw HTML is not allowed in templates"


def test_inline_html_is_an_error_on_the_line_it_is_on():
    err = error("# 标题\n\n第一行\n第二行<b>加粗</b>\n")
    assert err.line == 4
    assert "raw HTML" in err.en


def test_fenced_code_is_an_error():
    err = error("正文。\n\n```\ncode\n```\n")
    assert err.line == 3
    assert "code blocks" in err.en


def test_indented_code_is_an_error():
    err = error("正文。\n\n    缩进了四格\n")
    assert err.line == 3
    assert "4 spaces" in err.en


# ---------------------------------------------------------------- front matter

def test_front_matter_fills_every_meta_field_and_dates_become_iso_text():
    markup = """\
---
kind: notice
title: 关于通报的通知
issuer: 中共青山县委办公室
doc_number: 青委办〔2024〕12号
cc: 县人大常委会办公室
printer: 中共青山县委办公室
print_date: 2024年7月16日印发
date: 2024-07-15
---
# 标题
"""
    doc = parse(markup)
    assert doc.meta == DocMeta(kind="notice", title="关于通报的通知", issuer="中共青山县委办公室",
                               doc_number="青委办〔2024〕12号", cc="县人大常委会办公室",
                               printer="中共青山县委办公室", print_date="2024年7月16日印发",
                               date="2024-07-15")
    assert doc.blocks == (Title("标题"),)


def test_without_front_matter_meta_is_the_default():
    assert parse("正文。\n").meta == DocMeta()


def test_unknown_front_matter_key_is_an_error_naming_the_key():
    err = error("---\nkind: speech\nauthor: 张某某\n---\n正文。\n")
    assert err.key == "author"
    assert "unknown front matter key 'author'" in err.en


def test_unknown_kind_is_an_error():
    err = error("---\nkind: memo\n---\n正文。\n")
    assert err.key == "kind"


def test_invalid_front_matter_yaml_names_its_line():
    err = error("---\nkind: speech\ntitle: 甲: 乙\n---\n正文。\n")
    assert err.line == 3
    assert err.en == "front matter is not valid YAML: mapping values are not allowed here"
