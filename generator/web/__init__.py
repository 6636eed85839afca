"""`speechgen serve`: a local web page for the writing office.

One person (the office's IT contact) starts it in the working folder; staff open
the page in their browser, upload the data, see what is wrong with it, pick a
document, preview it and download it. The page calls the same library as the
command line (pipeline, batch, sources, render.catalogue), in a process of its
own per piece of work so that the CLI's time and memory bounds hold:

    app.py      the Flask application: routes, sessions, the password
    store.py    uploads: one private temporary folder each, expiry, owners
    work.py     validation and documents, run in a bounded child process
    options.py  what the page offers (templates, formats, versions) and the
                render options handed to the library
    problems.py errors as the page shows them (line and key; sheet and cell)
    preview.py  a document as HTML, headings numbered as in Word
    server.py   waitress: the address printed, one log line per request
"""
