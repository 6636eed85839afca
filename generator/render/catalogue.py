"""Which templates speechgen can use, where each comes from, and what it makes.

A template describes itself in a Jinja comment at its very top, so the words
travel with the file when an office copies or shares it; the comment renders
to nothing:

    {#- description: 领导在季度工作会议上的讲话稿 -#}

The kind of document is not repeated there: it is the `kind:` of the Markdown
front matter the template writes (---/kind: speech/---), which the document
reader checks, so the listing cannot disagree with what the template makes.
Files starting with _ are shared macros that other templates import.
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

    @property
    def kind_zh(self) -> str:
        return KINDS.get(self.kind, self.kind)


def describe(path: Path) -> tuple[str, str]:
    """(kind, description) of a template file; "" for what it does not say."""
    try:
        text = path.read_bytes()[:16384].decode("utf-8", "replace")
    except OSError:
        return "", ""
    comment = _COMMENT.match(text)
    line = _DESCRIPTION.search(comment["body"]) if comment else None
    front = _DOC_FRONT.search(text)
    kind = _KIND.search(front["body"]) if front else None
    return (kind["value"] if kind else ""), (line["value"] if line else "")


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
                                        winner.description, shadows=path)
                continue
            kind, description = describe(path)
            if name.startswith("_"):
                kind = "partial"
            found[name] = Entry(name, path, office, kind, description)
    # Documents first, in the order a quarter produces them, then the shared parts.
    order = list(KINDS)
    return sorted(found.values(), key=lambda e: (order.index(e.kind) if e.kind in order
                                                 else len(order), e.name))
