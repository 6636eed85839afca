"""Which templates speechgen can use, where each comes from, and what it makes.

A template describes itself in a Jinja comment at its very top, so the words
travel with the file when an office copies or shares it; the comment renders
to nothing:

    {#- description: 领导在季度工作会议上的讲话稿 -#}

The kind of document is not repeated there: it is the `kind:` of the Markdown
front matter the template writes (---/kind: speech/---), which the document
reader checks, so the listing cannot disagree with what the template makes.
Files starting with _ are shared macros that other templates import.

A template also says which blocks of the data it cannot do without, on a
`requires:` line of the same comment (blocks separated by commas or spaces; a
dotted path names a part of a block):

    {#- description: 年度目标责任考核总结表彰大会上的讲话
        requires: assessment -#}

The pipeline checks them before rendering (missing_blocks), so a file without
the block gets one message naming the block and the template, never an empty
section. A template that says nothing needs what its kind always needed.

A `label:` line gives the word its output file is named with (青山县_2023_考核表彰讲话.docx),
so two occasions of one kind never write the same file; without it the kind's word is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.render import sandbox

SUFFIX = sandbox.TEMPLATE_SUFFIX
KINDS = {"speech": "讲话稿", "notice": "通报", "scorecard": "成绩单", "partial": "共用片段"}

_COMMENT = re.compile(r"\A\{#-?(?P<body>.*?)-?#\}", re.S)
_DESCRIPTION = re.compile(r"^\s*description\s*:\s*(?P<value>.+?)\s*$", re.M)
_LABEL = re.compile(r"^\s*label\s*:\s*(?P<value>.+?)\s*$", re.M)
_REQUIRES = re.compile(r"^\s*requires\s*:\s*(?P<value>.*?)\s*$", re.M)
_BLOCK = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# What a template of each kind needs when it does not say (the built-in ones always did).
KIND_REQUIRES = {"notice": ("townships",), "scorecard": ("townships",)}
# How a missing block is named to the user: (en, zh, where it lives in the file).
BLOCK_NAMES = {
    "townships": ("township data", "乡镇数据", "townships.units"),
    "assessment": ("the annual assessment", "年度考核数据", "assessment"),
    "assessment.county": ("the county's result in the higher level's assessment", "上级对本县的考核结果",
                          "assessment.county"),
    "assessment.units": ("the county's assessment of its units", "本县对乡镇和部门的考核结果", "assessment.units"),
    "assessment.commendations": ("the commendations", "表彰名单", "assessment.commendations"),
    "investment_promotion": ("investment-promotion figures", "招商引资数据", "investment_promotion"),
    "departments": ("the departments' race", "部门考核数据", "departments.units"),
    "highlights": ("good practice to name", "经验做法", "highlights"),
    "projects": ("key projects", "重点项目", "projects"),
    "tasks": ("next-period tasks", "下步工作任务", "tasks"),
    "problem_lists": ("problem lists", "问题清单", "problem_lists"),
}
# The document's own front matter: a literal `kind:` line between the first two ---.
_DOC_FRONT = re.compile(r"^---[ \t]*\n(?P<body>.*?)^---[ \t]*$", re.S | re.M)
_KIND = re.compile(r"^kind:\s*(?P<value>[A-Za-z]+)\s*$", re.M)


@dataclass(frozen=True)
class Entry:
    name: str  # what --template takes
    path: Path  # the file that is used
    office: bool  # from the working folder's speech_templates/, not built in
    kind: str
    description: str
    shadows: Path | None = None  # the built-in file of the same name this one replaces
    requires: tuple[str, ...] = ()  # the data blocks it needs (its own, or its kind's)

    @property
    def kind_zh(self) -> str:
        return KINDS.get(self.kind, self.kind)


def describe(path: Path) -> tuple[str, str]:
    """(kind, description) of a template file; "" for what it does not say."""
    kind, description, _ = _read(path)
    return kind, description


def requirements(path: Path) -> tuple[str, ...]:
    """The data blocks a template needs: its `requires:` line, else what its kind needs."""
    kind, _, requires = _read(path)
    return requires if requires is not None else KIND_REQUIRES.get(kind, ())


def label(path: Path) -> str:
    """The word an output file of this template is named with; "" when it does not say."""
    comment = _COMMENT.match(_head(path))
    found = _LABEL.search(comment["body"]) if comment else None
    return found["value"] if found else ""


def _head(path: Path) -> str:
    try:
        return path.read_bytes()[:16384].decode("utf-8", "replace")
    except OSError:
        return ""


def _read(path: Path) -> tuple[str, str, tuple[str, ...] | None]:
    text = _head(path)
    if not text:
        return "", "", None
    comment = _COMMENT.match(text)
    line = _DESCRIPTION.search(comment["body"]) if comment else None
    needs = _REQUIRES.search(comment["body"]) if comment else None
    front = _DOC_FRONT.search(text)
    kind = _KIND.search(front["body"]) if front else None
    requires = tuple(_BLOCK.findall(needs["value"])) if needs else None
    return (kind["value"] if kind else ""), (line["value"] if line else ""), requires


def present(facts: dict, block: str) -> bool:
    """Whether the facts hold something for a block (a dotted path reaches into one)."""
    value = facts
    for part in block.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return value is not None and value != [] and value != {}


def missing_blocks(facts: dict, path: Path) -> list[str]:
    """The blocks the template at `path` needs that the facts do not hold."""
    return [block for block in requirements(path) if not present(facts, block)]


def block_name(block: str) -> tuple[str, str, str]:
    """(en, zh, key in the file) for a block, as a message names it."""
    return BLOCK_NAMES.get(block, (f"the {block} block", f"{block}部分", block))


def entries() -> list[Entry]:
    """Every template name the loader can find, each with the file that wins.

    The order of sandbox.template_dirs() is the loader's: the working folder's
    speech_templates/ first, then the built-in folder.
    """
    builtin = sandbox.BUILTIN_DIR.resolve()
    found: dict[str, Entry] = {}
    for folder in sandbox.template_dirs():
        office = folder.resolve() != builtin
        for path in sorted(folder.glob("*" + SUFFIX)):
            name = path.name[:-len(SUFFIX)]
            if name in found:
                winner = found[name]
                if winner.office and not office:
                    found[name] = Entry(winner.name, winner.path, True, winner.kind,
                                        winner.description, shadows=path, requires=winner.requires)
                continue
            kind, description = describe(path)
            requires = requirements(path)
            if name.startswith("_"):
                kind, requires = "partial", ()
            found[name] = Entry(name, path, office, kind, description, requires=requires)
    # Documents first, in the order a quarter produces them, then the shared parts.
    order = list(KINDS)
    return sorted(found.values(), key=lambda e: (order.index(e.kind) if e.kind in order
                                                 else len(order), e.name))
