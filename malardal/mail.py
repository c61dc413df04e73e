"""Text for mail headers."""

import unicodedata


def header_text(value: str) -> str:
    """``value`` as one line fit for a mail header (a subject built from an event's
    title, a recipient's name): line breaks and other control characters become spaces
    and runs of white space one space. Django refuses a header with a line break
    (BadHeaderError), so a title typed or imported with one would stop the mail."""
    spaced = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else ch for ch in value or ""
    )
    return " ".join(spaced.split())
