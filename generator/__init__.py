"""speechgen: indicator data → quarterly speeches, notices and township scorecards.

Pipeline (one module per stage; data flows one way):

    dataset   load + validate YAML/Excel/CSV        → Dataset
    analysis  derived measures, verdicts, selections → Facts (plain dicts)
    templating  sandboxed Jinja with zh filters       → Markdown markup
    blocks    Markdown → document model              → Document
    docx_writer / text_writer                         → .docx / .md / .txt
"""

__version__ = "0.1.0"
