"""Render the plan's free text (body, closing, introduction, description fields).

The format is deliberately small, so the secretariat can write it in a plain textarea:
paragraphs are separated by a blank line, and lines starting with "- " form a bullet
list. The text is always escaped first: it comes from users and is never trusted.
"""

import re
from itertools import groupby

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

BULLET = "- "
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def text_blocks(text: str) -> list[str]:
    """A plan text's blocks (paragraphs, lists), split at blank lines; the Word document
    (plan.word) splits the same way."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [block.strip("\n") for block in _BLANK_LINE.split(text) if block.strip()]


def _is_bullet(line: str) -> bool:
    return line.startswith(BULLET)


def _render_block(block: str) -> list[str]:
    """A block whose lines all start with "- " is a list. A block that mixes a lead-in
    with bullet lines (no blank line between) becomes a paragraph and a list, which is
    what its writer meant."""
    html = []
    lines = (line.strip() for line in block.split("\n") if line.strip())
    for is_list, run in groupby(lines, key=_is_bullet):
        if is_list:
            items = "".join(f"<li>{escape(line[len(BULLET) :].strip())}</li>" for line in run)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{escape(chr(10).join(run))}</p>")
    return html


@register.filter(is_safe=False)
def paragraphs(text) -> str:
    """``{{ section.body|paragraphs }}``: escaped text as ``<p>`` and ``<ul><li>`` markup."""
    if not text:
        return ""
    html = []
    for block in text_blocks(str(text)):
        html.extend(_render_block(block))
    return mark_safe("\n".join(html))


@register.filter(is_safe=False)
def first_paragraph(text) -> str:
    """``{{ plan.introduction|first_paragraph }}``: only the first block of the text,
    rendered as ``paragraphs`` does (a lead on the home page)."""
    if not text:
        return ""
    blocks = text_blocks(str(text))
    return mark_safe("\n".join(_render_block(blocks[0]))) if blocks else ""
