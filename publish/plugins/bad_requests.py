"""A visitor's mistake is a 400, not a server error.

Datasette raises ``DatasetteError("Cannot sort table by …")`` with its default
status 500 when a URL asks for a sort the metadata does not offer
(``sortable_columns``: at 100,000 reports only sorts an index serves are
offered). The request is wrong, not the server: this hook marks it 400 and
lets Datasette's own error page (``handle_exception``, ``trylast``) render it.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.views.base import DatasetteError

VISITOR_MISTAKES = ("Cannot sort table by ",)


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    if isinstance(exception, DatasetteError) and str(exception.message).startswith(VISITOR_MISTAKES):
        exception.status = 400
    return None  # Datasette's own handler renders the page
