"""Spreadsheet cells that cannot run as formulas (CSV/formula injection).

A spreadsheet program reads a text that begins with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some programs skip before such a character) as a
formula, so a comment like ``=HYPERLINK(…)`` typed into the portal could run on the
board's computer when an export is opened.

- CSV has no cell types, so such a text is written with a leading apostrophe, which
  spreadsheet programs show as text; :func:`restore` takes it off again when a file
  is imported, so an export imports back unchanged.
- XLSX has cell types: such a text is stored as a text cell (never a formula) with
  the "quote prefix" flag, which is how Excel itself stores a text typed with a
  leading apostrophe, so it stays text even when the cell is edited. The text itself
  is not changed (:func:`protect_xlsx_cell`).

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


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def protect_xlsx_cell(cell) -> None:
    """Make an openpyxl cell that holds a formula-like text a quoted text cell."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
