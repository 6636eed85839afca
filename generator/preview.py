"""`speechgen preview`: a document read on the terminal before it is written.

The words are the .txt writer's (writers/text.py), so headings carry the numbers
Word shows (一、（一）1.（1）, from document/numbering.py) and a notice its 版头
and 版记 lines. What a terminal adds: a page break is a visible rule instead of a
form feed, and every placeholder of a draft (【待补：…】, a figure the bureau has
not published yet) stands out, in reverse video on a terminal and plainly
elsewhere, and is listed with its line so nothing is left unfilled by mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator import pipeline
from generator.writers import text as text_writer

KINDS = ("speech", "notice", "scorecard")
# A draft's placeholder, as the draft writer prints it: 【待补：固定资产投资增速】.
PLACEHOLDER = re.compile(r"【待补[：:][^】\n]*】")
REVERSE, NORMAL = "\x1b[7m", "\x1b[27m"
PAGE_RULE = "－" * 10 + " 分页 " + "－" * 10


@dataclass(frozen=True)
class Preview:
    text: str  # the document as plain text, page breaks shown as a rule
    kind: str  # speech | notice | scorecard
    town: str | None = None  # the scorecard's township

    @property
    def placeholders(self) -> list[tuple[int, str]]:
        """(line number, placeholder) of every 【待补：…】, in reading order."""
        return [(n, m.group(0)) for n, line in enumerate(self.text.splitlines(), start=1)
                for m in PLACEHOLDER.finditer(line)]

    def shown(self, highlight: bool) -> str:
        """The text for the screen: placeholders in reverse video when `highlight`."""
        if not highlight:
            return self.text
        return PLACEHOLDER.sub(lambda m: f"{REVERSE}{m.group(0)}{NORMAL}", self.text)


def template_kind(template: str) -> str:
    """The kind of document a template makes, as its front matter says (speech when it says none)."""
    from generator.render import catalogue, sandbox

    folder, name = sandbox.resolve(template)
    kind, _ = catalogue.describe(Path(folder) / name)
    return kind if kind in KINDS else "speech"


def preview(data_path: str | Path, kind: str | None = None, *, template: str | None = None,
            town: str | None = None, mapping: str | Path | None = None) -> Preview:
    """The document a command would write, as text. `kind` defaults to the template's own,
    and a scorecard to the township ranked first."""
    if kind is None:
        kind = template_kind(template) if template else "speech"
    if kind == "scorecard":
        return _scorecard(data_path, template, town, mapping)
    make = pipeline.notice if kind == "notice" else pipeline.speech
    product = make(data_path, template=template, fmt="txt", mapping=mapping)
    return Preview(_for_screen(product.data.decode("utf-8")), kind)


def _scorecard(data_path, template, town, mapping) -> Preview:
    from generator import batch
    from generator.render import sandbox

    facts = pipeline.load_facts(data_path, mapping)
    template = template or pipeline.DEFAULT_TEMPLATES["scorecard"]
    # What the template needs (a scorecard: townships), refused as the commands refuse it.
    pipeline.check_requirements(facts, template, data_path)
    job = batch.Job.for_facts(facts, template, "txt")
    names = [u["name"] for u in job.units]
    index = batch.select(job.units, [town], key="--town")[0] if town else 0
    unit = sandbox.escape_facts(job.units[index])
    doc = pipeline.make_document({**job.context, "town": unit}, job.template)
    return Preview(_for_screen(text_writer.to_text(doc)), "scorecard", names[index])


def _for_screen(text: str) -> str:
    """A form feed shows as nothing (or ^L) on a terminal: a page break is a rule there."""
    room = text_writer.LINE_CHARS * 2 - text_writer.display_width(PAGE_RULE)
    rule = "　" * max(0, room // 4) + PAGE_RULE
    return "\n".join(rule if line == text_writer.FORM_FEED else line for line in text.split("\n"))
