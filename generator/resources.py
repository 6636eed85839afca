"""Where the files shipped with the program are: one owner for every bundled path.

A wheel carries the built-in templates and the sample county inside the package
(setup.py copies them into generator/resources/ at build time); a source checkout
keeps them at the top of the repository, as the design card lays it out.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "resources"
_CHECKOUT = PACKAGE.parent

REFERENCE_DOCX = BUNDLED / "reference.docx"
SCHEMA = PACKAGE / "sources" / "schema" / "indicators.schema.json"


def _shipped(name: str) -> Path:
    inside = BUNDLED / name
    return inside if inside.exists() else _CHECKOUT / name


TEMPLATES = _shipped("speech_templates")
SAMPLE_DATA = _shipped("indicators.yaml")
# The sample bureau spreadsheet and its mappings, for `speechgen init`.
SAMPLE_SHEETS = _shipped("examples")

