"""Spreadsheet cells that cannot run as formulas (CSV/formula injection).

A spreadsheet program reads a text cell that begins with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return, which some programs skip before such a character) as a
formula, so a comment like ``=HYPERLINK(…)`` typed into the portal could run on the
board's computer when the export is opened. Such a cell is written with a leading
apostrophe, which every spreadsheet program shows as text; :func:`restore` takes the
apostrophe off again when a file is imported, so an export imports back unchanged.
Numbers, dates and empty cells are left as they are.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralise(value):
    """The cell value made safe to open in a spreadsheet program."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return ESCAPE + value
    return value


def restore(value):
    """Undo :func:`neutralise` on a cell read from an imported file."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value.startswith(ESCAPE)
        and value[1:].startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


def neutralise_row(row):
    return [neutralise(cell) for cell in row]
