"""Command line: parse options, call the library, report plainly.

Errors in the user's input print one or two lines (English and Chinese) and
exit 2; a bug in speechgen exits 1. Tracebacks only with --debug.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from generator import pipeline
from generator.writers.text import display_width
from generator.errors import ENVIRONMENT_ERRNOS, INTERNAL_ERROR, OutputError, SpeechgenError, os_error
from generator.output import write_output

DATA_HELP = "Indicator data: YAML, or .xlsx/.csv with --map / 指标数据文件（YAML，或配合 --map 的表格）."
MAP_HELP = "Mapping that says how to read a spreadsheet / 表格映射文件 (YAML)."
OUT_HELP = "Folder for generated files / 输出目录."
TEMPLATE_HELP = "Template name in speech_templates/ or a file path / 模板名称或路径."
REFERENCE_HELP = "Reference .docx whose styles are used / 样式参考文档 (.docx)."
FORMAT_HELP = "Output format / 输出格式 (pdf through LibreOffice, libreoffice-writer-nogui)."
# pdf is a .docx converted by LibreOffice (generator/writers/pdf.py), not a format of the pipeline.
PDF = "pdf"
STDOUT_HELP = "Write to this file instead; '-' for standard output / 输出到指定文件，'-' 表示标准输出."


def _report(func):
    """Turn SpeechgenError into a clean message and exit code 2; bugs into exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except SpeechgenError as exc:
            if debug:
                raise
            click.echo(exc.format(), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted / 已中断", err=True)
            sys.exit(130)
        except OSError as exc:
            # The system's own refusals (a full disk, a read-only file system, a closed
            # pipe) are the user's to fix, wherever they surface.
            if debug or exc.errno not in ENVIRONMENT_ERRNOS:
                raise
            if isinstance(exc, BrokenPipeError):
                _silence_stdout()  # nothing more may go to the closed pipe, not even at exit
                exc.filename = exc.filename or "standard output"
            error = os_error(exc, doing=("cannot continue", "无法继续"))
            click.echo(error.format(), err=True)
            sys.exit(error.exit_code)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for users
            if debug:
                raise
            click.echo(f"internal error (a bug in speechgen; run with --debug for details): "
                       f"{type(exc).__name__}: {exc}\n程序内部错误，请加 --debug 查看详情并报告。",
                       err=True)
            sys.exit(INTERNAL_ERROR)

    return wrapper


def _data_option(func):
    func = click.option("--map", "mapping", type=click.Path(dir_okay=False), default=None,
                        help=MAP_HELP)(func)
    # A plain string: the loader explains a missing file or a folder in both languages.
    return click.option("--data", "data", default="indicators.yaml",
                        show_default=True, help=DATA_HELP)(func)


def _silence_stdout() -> None:
    """Point descriptor 1 at /dev/null: nothing more may go to a broken stream, not even at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def to_stdout(data: bytes) -> None:
    """Write a document to standard output, or say plainly that it cannot be written there."""
    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:  # descriptor 1 closed when the process started
            raise OSError(9, "Bad file descriptor")
        stream.write(data)
        stream.flush()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputError(f"standard output cannot be written ({reason}); write to a file with -o FILE",
                          f"无法写入标准输出（{reason}），请用 -o 文件名 写入文件", key="-o -") from None


# What -o - may print on a terminal: text. Anything else is bytes that garble the screen.
TEXT_SUFFIXES = (".md", ".txt")


def _on_terminal(stream) -> bool:
    """Whether a stream is a terminal; a closed or missing one (descriptor 1 shut) is not."""
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def refuse_binary_on_terminal(name: str) -> None:
    """-o - with a .docx (or any binary) when standard output is a terminal, not a pipe or file."""
    suffix = Path(name).suffix
    if suffix in TEXT_SUFFIXES or not _on_terminal(sys.stdout):
        return
    raise OutputError(f"a {suffix} file is binary and is not written to the terminal; redirect it "
                      f"(-o - > file{suffix}), give a file (-o file{suffix}), or use --format txt "
                      "or md to read it on screen (or speechgen preview)",
                      f"{suffix} 是二进制文件，不能直接输出到终端：请重定向（-o - > 文件{suffix}）、"
                      f"指定文件（-o 文件{suffix}），或用 --format txt/md（或 speechgen preview）在屏幕上查看",
                      key="-o -")


def _emit(product: pipeline.Product, out_dir: str, output: str | None, force: bool) -> None:
    if output == "-":
        refuse_binary_on_terminal(product.name)
        to_stdout(product.data)
        return
    path = Path(output) if output else Path(out_dir) / product.name
    write_output(path, product.data, force=force)
    click.echo(str(path))


class Choice(click.Choice):
    """click.Choice (--help lists the choices) whose refusal is also said in Chinese."""

    def __init__(self, choices, what_zh: str):
        super().__init__(choices)
        self.what_zh = what_zh

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{value!r}: expected one of {', '.join(self.choices)} / "
                      f"{self.what_zh}应为 {'、'.join(self.choices)} 之一", param, ctx)


def _made(make, fmt: str, **options) -> pipeline.Product:
    """A document in the format asked for: a PDF is the .docx converted by LibreOffice."""
    if fmt != PDF:
        return make(fmt=fmt, **options)
    from generator.writers import pdf

    pdf.soffice()  # no LibreOffice: say so before the document is made
    return pdf.as_pdf(make(fmt="docx", **options))


def _format_option(func):
    return click.option("--format", "fmt", type=Choice((*pipeline.FORMATS, PDF), "输出格式"), default="docx",
                        show_default=True, help=FORMAT_HELP)(func)


def _document_options(default_template: str):
    """The options every document command shares, in the order --help lists them."""
    options = [
        _data_option,
        click.option("--out", "out_dir", default="output", show_default=True, help=OUT_HELP),
        click.option("--template", default=None,
                     help=f"{TEMPLATE_HELP} [default: {default_template}]"),
        click.option("--reference-doc", "reference", type=click.Path(dir_okay=False),
                     default=None, help=REFERENCE_HELP),
        _format_option,
        _force_option,
    ]

    def apply(func):
        for option in reversed(options):
            func = option(func)
        return func

    return apply


def _audit_options(func):
    """--draft, --redact, --trace: the writing office's workflow (generator/audit)."""
    func = click.option("--trace", "trace", type=click.Path(dir_okay=False), default=None,
                        help="Also write where every figure came from, as JSON / "
                             "另存每个数字的来源（JSON）.")(func)
    func = click.option("--redact", is_flag=True,
                        help="The public version: figures as X, dates kept / 公开版：数字替换为X，日期保留.")(func)
    return click.option("--draft", is_flag=True,
                        help="Write a draft even with figures still 待补, marked 【待补：…】 / "
                             "数据待补时先生成草稿.")(func)


def _finish(run, data: str, trace: str | None, force: bool, names: list[str] | None = None) -> None:
    """A draft ends by saying what is missing; --trace writes the figures' sources."""
    if trace:
        click.echo(str(run.write_trace(trace, names, force=force)))
    for line in run.summary(data):
        click.echo(line, err=True)


def _force_option(func):
    return click.option("--force", is_flag=True,
                        help="Overwrite files edited since they were generated / "
                             "覆盖生成后被修改过的文件.")(func)


class Commands(click.Group):
    """The command group: each command's summary in --help is its docstring's whole first line.

    Click cuts a summary at about 45 characters with "…", which loses the Chinese half
    of "English / 中文"; a short_help is printed whole (wrapped).
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if cmd.short_help is None and cmd.help:
            cmd.short_help = cmd.help.strip().split("\n\n")[0].replace("\n", " ")
        super().add_command(cmd, name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks / 显示调试信息.")
@click.version_option(package_name="speechgen")
def main(debug: bool) -> None:
    """speechgen: indicator data → quarterly speech, notice and township scorecards
    as GB/T 9704 Word documents.

    speechgen：由指标数据生成季度讲话稿、通报和乡镇成绩单（GB/T 9704 公文格式）。
    """


@main.command()
@_document_options("quarterly_speech")
@click.option("-o", "--output", default=None, help=STDOUT_HELP)
@_audit_options
@_report
def speech(data, mapping, out_dir, template, reference, fmt, output, force, draft, redact, trace):
    """Write a speech: the quarterly meeting's, or --template for another occasion / 生成讲话稿."""
    _one_document(pipeline.speech, data, mapping, out_dir, template, reference, fmt, output, force,
                  draft, redact, trace)


def _one_document(make, data, mapping, out_dir, template, reference, fmt, output, force,
                  draft, redact, trace) -> None:
    """A speech or a notice: made in the run mode asked for, written, the run's report after."""
    from generator.audit import session

    with session.session(draft=draft, redact=redact, trace=bool(trace)) as run:
        product = _made(make, fmt, data_path=data, template=template, reference=reference,
                        mapping=mapping)
    _emit(product, out_dir, output, force)
    _finish(run, data, trace, force, [product.name])


@main.command()
@_data_option
@_report
def validate(data, mapping):
    """Check a data file against the data contract / 校验指标数据文件."""
    facts = pipeline.load_facts(data, mapping)
    meta = facts["meta"]
    towns = facts["townships"]
    click.echo(f"{data}: OK — {meta['region']} {meta['period_code']}, "
               f"{len(facts['indicators'])} indicators, "
               f"{towns['count'] if towns else 0} townships / 校验通过")


def _cell(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


@main.command()
@_data_option
@click.option("--json", "as_json", is_flag=True, help="Print all facts as JSON / 以JSON输出全部数据.")
@click.option("--xlsx", "workbook", default=None, metavar="FILE.xlsx",
              help="Write the facts as an Excel workbook (indicators, township ranking, each "
                   "township's progress) / 将派生数据写成Excel工作簿（可作通报附件）.")
@_force_option
@_report
def facts(data, mapping, as_json, workbook, force):
    """Show the derived facts the documents draw on / 查看派生数据."""
    from generator.facts.analysis import jsonable
    from generator.writers import legend

    result = pipeline.load_facts(data, mapping)
    if workbook:
        _write_workbook(result, workbook, force)
        return
    if as_json:
        click.echo(json.dumps(jsonable(result), ensure_ascii=False, indent=2))
        return
    header = ("id", "指标", "报表", "本期", "增速%", "增速变化", "位次", "位次变化", "档次",
              "完成率%", "序时差", "结论")
    verdicts = {"achievement": "成绩", "shortfall": "短板", None: ""}
    rows = [header]
    for f in result["indicators"]:
        completion = None if f["completion"] is None else f["completion"] * 100
        rows.append((f["id"], f["name"], f["card"], _cell(f["value"], 2), _cell(f["growth"]),
                     _cell(f["growth_change"]), _cell(f["rank"]), _cell(f["rank_move"]),
                     _cell(f["grade"]), _cell(completion), _cell(f["schedule_gap"]),
                     verdicts[f["verdict"]]))
    _print_table(rows)
    click.echo("")
    for line in legend.text(result["meta"].get("schedule")):
        click.echo(line)


def _write_workbook(facts: dict, target: str, force: bool) -> None:
    from generator.writers import xlsx

    if target != "-" and Path(target).suffix.lower() != ".xlsx":
        raise OutputError("the workbook's name must end in .xlsx, or Excel will not open it",
                          "工作簿文件名须以 .xlsx 结尾，否则Excel无法打开", key="--xlsx", file=target)
    data = xlsx.workbook(facts)
    if target == "-":
        refuse_binary_on_terminal("facts.xlsx")
        to_stdout(data)
        return
    write_output(Path(target), data, force=force)
    click.echo(target)


def _print_table(rows) -> None:
    """Columns aligned for a terminal, where a Chinese character is two columns wide."""
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (c + " " * (w - display_width(c)) for c, w in zip(row, widths))
        click.echo("  ".join(cells).rstrip())


@main.command()
@_document_options("quarterly_notice")
@click.option("-o", "--output", default=None, help=STDOUT_HELP)
@_audit_options
@_report
def notice(data, mapping, out_dir, template, reference, fmt, output, force, draft, redact, trace):
    """Write a notice: the race's 通报, or --template commendation_notice / 生成通报."""
    _one_document(pipeline.notice, data, mapping, out_dir, template, reference, fmt, output, force,
                  draft, redact, trace)


def _progress(iterable, total):
    """A progress bar on a terminal, silence otherwise (logs, CI, pipes)."""
    if not sys.stderr.isatty():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, unit="份", desc="成绩单", file=sys.stderr)


@main.command()
@_document_options("township_scorecard")
@click.option("--only", default=None,
              help="Comma-separated township names / 只生成指定乡镇，逗号分隔，如 东山镇,西河镇.")
@click.option("--merged", is_flag=True, help="Also write one merged volume / 另生成汇编本（每乡镇一页）.")
@click.option("--zip", "archive", is_flag=True, help="Also write a .zip of the scorecards / 另打包为 .zip.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores] / 并行进程数.")
@_audit_options
@_report
def scorecards(data, mapping, out_dir, template, reference, fmt, force, only, merged, archive,
               jobs, draft, redact, trace):
    """Write one scorecard per township / 批量生成乡镇成绩单."""
    from generator import batch
    from generator.audit import session

    names = only.replace("，", ",").split(",") if only else None
    with session.session(draft=draft, redact=redact, trace=bool(trace)) as run:
        # A trace or a draft's list needs every scorecard's record: made in this process.
        written = batch.scorecards(data, out_dir, template=template, fmt=fmt, reference=reference,
                                   only=names, jobs=1 if (trace or draft) else jobs, merged=merged,
                                   archive=archive, mapping=mapping, force=force,
                                   progress=_progress)
    folder = written[0].parent if written else Path(out_dir)
    count = sum(1 for p in written if p.parent == folder)
    click.echo(f"{count} scorecards / 份成绩单 → {folder}")
    for extra in written[count:]:
        click.echo(str(extra))
    _finish(run, data, trace, force, [p.name for p in written[:count]])


@main.command()
@click.argument("document", type=click.Path(dir_okay=False))
@_data_option
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON / 以JSON输出.")
@_report
def check(document, data, mapping, as_json):
    """Check a .docx's figures / 核对文档中的数字.

    Compares every figure of the document (edited by hand or not) with the data /
    逐一核对文档（含手工修改后的）中的数字与数据。Exit 0 when every figure matches, 3 when
    one differs, has no source, or the data changed since the document was written /
    全部一致返回0，有不一致返回3.
    """
    from generator.audit import check as checking

    report = checking.check(document, data, mapping)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.ok else checking.DIFFERENT)


@main.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False), required=False)
@click.option("--map", "mapping", type=click.Path(dir_okay=False), default=None, help=MAP_HELP)
@click.option("--compare", multiple=True, type=click.Path(dir_okay=False),
              help="The higher level's comparison table (.xlsx/.csv); one workbook, or one per table "
                   "of --compare-map / 上级对比表（可多次给出）.")
@click.option("--compare-map", "compare_map", type=click.Path(dir_okay=False), default=None,
              help="Mapping of the comparison tables / 对比表映射文件 (YAML).")
@click.option("--previous", multiple=True, type=click.Path(dir_okay=False),
              help="The previous period's comparison table(s), same layout / 上期对比表.")
@click.option("-o", "--output", default=None,
              help="Write the YAML to this file instead of standard output / 输出到文件.")
@_force_option
@_report
def import_sheet(sheet, mapping, compare, compare_map, previous, output, force):
    """Convert a statistics bureau's .xlsx/.csv into indicators.yaml format / 表格转为指标数据文件."""
    from generator.sources import comparison

    # Checked here, not by click: _report turns any error into exit 1 unless it is speechgen's own.
    wrong = comparison.option_problem(sheet, mapping, compare, compare_map, previous)
    if wrong:
        raise SpeechgenError(*wrong)
    result = comparison.import_all(sheet, mapping, list(compare), compare_map, list(previous))
    for warning in result.warnings:
        click.echo(warning.format(), err=True)
    text = comparison.to_yaml(result.data)
    if output and output != "-":
        write_output(Path(output), text.encode("utf-8"), force=force)
        click.echo(output)
    else:
        to_stdout(text.encode("utf-8"))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True,
              help="Add the missing files to a folder that is not empty; nothing is deleted and "
                   "files you changed are kept / 向非空文件夹补齐缺少的文件（不删除、不覆盖改过的文件）.")
@_report
def init(folder, force):
    """Create a working folder with sample data, templates and a guide / 新建工作文件夹."""
    from generator import workspace

    result = workspace.create(folder, force=force)
    for path in result.written:
        click.echo(str(path))
    for path in result.kept:
        click.echo(f"{path}: kept as it is (not what init wrote) / 已有且与示例不同，保留原文件")
    cd = "" if Path(folder).resolve() == Path.cwd().resolve() else f"cd {folder} && "
    click.echo(f"next / 下一步: {cd}speechgen speech   (see / 详见 {workspace.GUIDE})")


@main.command()
@click.argument("document", required=False, type=Choice(("speech", "notice", "scorecard"), "文档类型"))
@_data_option
@click.option("--template", default=None,
              help="Template name or path; its own kind when DOCUMENT is not given / 模板名称或路径.")
@click.option("--town", default=None,
              help="The township whose scorecard is shown [default: the first ranked] / 预览哪个乡镇的成绩单.")
@click.option("--color/--no-color", "color", default=None,
              help="Placeholders in reverse video [default: on a terminal] / 待补内容反显（默认仅终端）.")
@click.option("--draft", is_flag=True,
              help="Figures written 待补 in the data become placeholders / 数据中的“待补”显示为占位.")
@click.option("--redact", is_flag=True, help="The public version, figures as X / 公开稿，数字以X代替.")
@_report
def preview(document, data, mapping, template, town, color, draft, redact):
    """Print a document as text, headings numbered, placeholders marked / 在终端预览文档."""
    from generator import preview as previewing
    from generator.audit import session

    with session.session(draft=draft, redact=redact):
        shown = previewing.preview(data, document, template=template, town=town, mapping=mapping)
    highlight = _on_terminal(sys.stdout) if color is None else color
    click.echo(shown.shown(highlight), nl=False, color=highlight)
    found = shown.placeholders
    if shown.town:
        click.echo(f"scorecard of {shown.town} (--town to choose another) / {shown.town}的成绩单",
                   err=True)
    if found:
        click.echo(f"{len(found)} placeholders to fill / 待补{len(found)}处:", err=True)
        for line, text in found:
            click.echo(f"  line {line} / 第{line}行: {text}", err=True)


@main.command()
@_report
def templates():
    """List the templates and which copy is used / 列出可用模板及实际使用的文件."""
    from generator.render import catalogue

    rows = [("名称 name", "类型 kind", "来源 source", "需要 requires", "说明 description")]
    for entry in catalogue.entries():
        source = "./speech_templates" if entry.office else "内置 built-in"
        if entry.shadows:
            source += "（优先于内置 overrides built-in）"
        rows.append((entry.name, f"{entry.kind_zh} {entry.kind}".strip(), source,
                     ", ".join(entry.requires) or "—", entry.description))
    _print_table(rows)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the page to the office network / "
                   "监听地址，0.0.0.0 表示向局域网开放.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0: any free one) / 端口.")
@click.option("--password-file", type=click.Path(dir_okay=False), default=None,
              help="A file whose first line is a password staff must enter / 共享密码文件（第一行为密码）.")
@click.option("--reference-doc", "reference", type=click.Path(dir_okay=False), default=None,
              help=REFERENCE_HELP)
@click.option("--keep-minutes", type=click.IntRange(min=1), default=60, show_default=True,
              help="Remove an upload unused this long / 上传的文件闲置多久后删除（分钟）.")
@click.option("--max-upload-mb", type=click.IntRange(1, 64), default=20, show_default=True,
              help="Largest upload / 上传文件大小上限（MB）.")
@_report
def serve(host, port, password_file, reference, keep_minutes, max_upload_mb):
    """A web page for the office, in the browser / 启动网页版，供同事在浏览器中使用."""
    from generator.web import server

    server.serve(host=host, port=port, password_file=password_file, reference=reference,
                 keep_minutes=keep_minutes, max_upload_mb=max_upload_mb)
