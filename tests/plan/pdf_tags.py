"""Reading a tagged PDF's structure tree with pikepdf, as assistive technology reads it:
the elements in reading order, their roles, alternative texts and (for headings) text."""

from dataclasses import dataclass

import pikepdf


@dataclass
class Element:
    role: str  # "H1", "P", "Figure" …
    alt: str | None
    depth: int


def structure(pdf: pikepdf.Pdf) -> list[Element]:
    """Every structure element below StructTreeRoot, depth first (the reading order)."""
    out: list[Element] = []

    def walk(node, depth):
        role = node.get("/S")
        if role is not None:
            alt = node.get("/Alt")
            out.append(Element(str(role)[1:], str(alt) if alt is not None else None, depth))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") is not None:
                walk(kid, depth + 1)

    walk(pdf.Root.StructTreeRoot, 0)
    return out


def outline_titles(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    """The bookmarks as (level, title), in order."""
    result = []

    def walk(items, level):
        for item in items:
            result.append((level, str(item.title)))
            walk(item.children, level + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 1)
    return result
