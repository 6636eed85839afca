"""Where a document's figures come from, and what became of them.

Every figure a template prints passes through a zh filter (or is printed raw from the
facts); `figures` is the seam there: it records the figure (data path, raw value, the
filter and its arguments), words it as the run asks (a draft's placeholder for a pending
figure, "X" in the public version) and marks it in the text so the parse stage can tell
which characters it became (`placement`). The record travels inside the .docx
(writers/docx/trace_part) and as JSON (`--trace FILE`); `check` reads a document back,
finds every figure in its text and compares it with the data.
"""
