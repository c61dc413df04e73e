"""Reading rendered pages in tests with a real HTML parser (no regular expressions on
markup): the text a reader sees in the page's main content."""

from html.parser import HTMLParser

_SKIPPED = {"script", "style", "template"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _MainText(HTMLParser):
    def __init__(self, *, whole_page: bool):
        super().__init__(convert_charrefs=True)
        self.depth = 1 if whole_page else 0  # > 0 while inside <main> (or always)
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        if tag == "main" or self.depth:
            self.depth += 1
        if tag in _SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.parts.append(data)


def page_text(response, *, whole_page: bool = False) -> str:
    """The text of the page's <main> (or of the whole page), white space folded."""
    assert response.status_code == 200, response.status_code
    parser = _MainText(whole_page=whole_page)
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())
