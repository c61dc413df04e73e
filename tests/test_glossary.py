"""One term per concept (issue 14, point 9): the words docs/glossary.md says not to use
appear in no Swedish catalogue entry and no template, and the glossary names them."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.test_catalogue import read_po

ROOT = Path(settings.BASE_DIR)
GLOSSARY = ROOT / "docs" / "glossary.md"
SV_CATALOGUE = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"

# Words not to use in Swedish, as the glossary's last column marks them "(checked)".
FORBIDDEN_SV = {
    "evenemang": "mötesplats",
    "skiftlägeskänslig": "stora och små bokstäver",
    "skiftlägesokänslig": "stora och små bokstäver",
    "förvalda genomförandegrad": "genomförandegrad som föreslås",
    "(PDF, Svenska)": "PDF på svenska",
}


def template_files():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in folder.parts:
            continue
        yield from folder.rglob("*.html")
        yield from folder.rglob("*.txt")


def test_the_glossary_lists_every_forbidden_word():
    text = GLOSSARY.read_text(encoding="utf-8")
    for word, instead in FORBIDDEN_SV.items():
        assert f"**{word}" in text, f"{word!r} is not marked as a word not to use"
        assert instead.split()[0] in text


def test_no_swedish_catalogue_entry_uses_a_forbidden_word():
    found = []
    # The catalogue test's reader (obsolete entries left out), not a second .po parser.
    for entry in read_po(SV_CATALOGUE):
        for text in entry.msgstr.values():
            for word in FORBIDDEN_SV:
                if word.casefold() in text.casefold():
                    found.append(f"{word!r} in {text!r}")
    assert not found, "\n".join(found)


def test_no_template_uses_a_forbidden_swedish_word():
    found = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for word in FORBIDDEN_SV:
            if re.search(re.escape(word), text, re.I):
                found.append(f"{word!r} in {path.relative_to(ROOT)}")
    assert not found, "\n".join(found)


def test_the_login_error_says_it_plainly(db):
    response = Client().post(
        "/sv/accounts/login/", {"username": "ingen", "password": "fel lösenord"}
    )
    html = response.content.decode()
    assert "skiftläge" not in html
    assert "stora och små bokstäver" in html
    response = Client().post("/sv/admin/login/", {"username": "ingen", "password": "fel"})
    html = response.content.decode()
    assert "skiftläge" not in html
    assert "stora och små bokstäver" in html
