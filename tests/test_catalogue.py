"""The Swedish catalogue: complete, compiled, up to date with the code, and used.

Swedish is the portal's first language and English its source text, so a string
missing from locale/sv shows English on a Swedish page. These tests fail when an entry
is untranslated or fuzzy (fuzzy entries are ignored at run time), when a translation
loses a placeholder, when the .mo is older than the .po, and when the code has an
interface string the catalogue lacks. Redo the catalogue with the commands in
``_MAKEMESSAGES`` below, then ``manage.py compilemessages``.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import require_command

LOCALE = Path(settings.BASE_DIR) / "locale"
SV_PO = LOCALE / "sv" / "LC_MESSAGES" / "django.po"
SV_MO = LOCALE / "sv" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

# What makemessages must not read: the same list as in the locale owner's command.
IGNORED = [".venv", "staticfiles", "media", "var", "node_modules", ".git"]
_MAKEMESSAGES = [
    "makemessages",
    "-l",
    "sv",
    "-l",
    "en",
    *[f"--ignore={name}" for name in IGNORED],
    "--no-obsolete",
]


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    where: str = ""

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt else self.msgid

    def __str__(self):
        context = f" (context {self.msgctxt!r})" if self.msgctxt else ""
        return f"{self.msgid!r}{context} at {self.where or '?'}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header and obsolete (#~) entries left out. A small
    reader for the files makemessages writes, not for every .po there is."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        current: dict = {"msgstr": {}, "flags": set(), "where": []}
        last = None
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#~"):
                continue
            if line.startswith("#,"):
                current["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#:"):
                current["where"].append(line[2:].strip())
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if last[0] == "msgstr":
                    current["msgstr"][last[1]] += text
                else:
                    current[last[0]] += text
            else:
                match = _KEYWORD.match(line)
                assert match, f"{path}: cannot read {line!r}"
                keyword, index, text = (
                    match.group(1),
                    match.group(2),
                    ast.literal_eval(match.group(3)),
                )
                if keyword == "msgstr":
                    last = ("msgstr", int(index or 0))
                    current["msgstr"][last[1]] = text
                else:
                    last = (keyword, None)
                    current[keyword] = text
        if current.get("msgid"):
            entries.append(
                Entry(
                    msgid=current["msgid"],
                    msgctxt=current.get("msgctxt"),
                    msgid_plural=current.get("msgid_plural"),
                    msgstr=current["msgstr"],
                    flags=current["flags"] - {""},
                    where=" ".join(current["where"])[:200],
                )
            )
    return entries


def needing_work(entries: list[Entry]) -> list[Entry]:
    return [
        entry
        for entry in entries
        if "fuzzy" in entry.flags or not entry.msgstr or any(not s for s in entry.msgstr.values())
    ]


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%|\{\w*\}")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def test_the_swedish_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = read_po(SV_PO)
    assert len(entries) > 500, "the Swedish catalogue looks empty"
    missing = needing_work(entries)
    assert not missing, (
        f"{len(missing)} Swedish entries are untranslated or fuzzy "
        "(fuzzy entries are not used at run time):\n" + "\n".join(map(str, missing))
    )


def test_swedish_translations_keep_their_placeholders():
    wrong = []
    for entry in read_po(SV_PO):
        if not entry.msgid_plural:
            if placeholders(entry.msgstr.get(0, "")) != placeholders(entry.msgid):
                wrong.append(entry)
            continue
        wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        for text in entry.msgstr.values():
            # A singular may write out "one" instead of the counter, nothing else.
            if not placeholders(text) <= wanted or not (
                placeholders(entry.msgid_plural) - {"%(counter)s", "%(count)s", "%(count)d"}
                <= placeholders(text)
            ):
                wrong.append(entry)
                break
    assert not wrong, "placeholders lost or added in:\n" + "\n".join(map(str, wrong))


def test_the_english_catalogue_has_the_same_entries_and_no_fuzzy_ones():
    """English is the source language: its msgstr stay empty, but its entries follow
    the code like the Swedish ones do, and a stale fuzzy guess must not linger."""
    english = read_po(EN_PO)
    assert {entry.key for entry in english} == {entry.key for entry in read_po(SV_PO)}
    assert not [entry for entry in english if "fuzzy" in entry.flags]


def test_the_compiled_swedish_catalogue_matches_the_po():
    with SV_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_po(SV_PO):
        if entry.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                text = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                if text != entry.msgstr[index]:
                    stale.append(entry)
                    break
        else:
            text = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            if text != entry.msgstr[0]:
                stale.append(entry)
    assert not stale, (
        "locale/sv/LC_MESSAGES/django.mo is older than the .po; run "
        "`manage.py compilemessages`. Differs for:\n" + "\n".join(map(str, stale[:20]))
    )


def _copy_of_the_tree(target: Path) -> Path:
    root = Path(settings.BASE_DIR)
    shutil.copytree(
        root,
        target,
        ignore=shutil.ignore_patterns(
            *IGNORED, "__pycache__", ".pytest_cache", ".ruff_cache", "*.sqlite3", "*.mo"
        ),
        symlinks=True,
    )
    return target


def test_the_catalogue_has_every_interface_string_in_the_code(tmp_path):
    """Runs makemessages on a copy of the tree (it writes temporary files next to the
    templates, so never on the working tree itself) and checks that every string it
    finds is already translated. Strings the code no longer has are left to the next
    catalogue update: they do no harm."""
    require_command("xgettext")
    require_command("msgmerge")
    copy = _copy_of_the_tree(tmp_path / "tree")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "malardal.settings",
        "DEBUG": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *_MAKEMESSAGES],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    regenerated = read_po(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    committed = {entry.key for entry in read_po(SV_PO)}
    new = [entry for entry in regenerated if entry.key not in committed]
    assert not new, (
        f"{len(new)} interface strings are not in locale/sv yet; run makemessages "
        "and translate them:\n" + "\n".join(map(str, new))
    )
    assert not needing_work(regenerated)


# Interface text on pages, both languages. The words come from the catalogue, so the
# test follows a reworded translation; it fails when a page shows the English source
# text on /sv/ (no translation used) or Swedish on /en/.
PAGES = [
    ("plan:home", ["Plan", "Archive", "Search", "Skip to main content"]),
    ("plan:archive", ["Operations plans, every year", "Archive"]),
    ("plan:search", ["How to search", "Narrow the search", "Search the portal"]),
    ("events:event_list", ["Events", "Upcoming events", "Past events"]),
    ("members:directory", ["Member directory", "Search and filter members"]),
    ("members:partners", ["Partners and arenas", "Choose a year"]),
    ("login", ["Log in", "Forgotten your password?"]),
]


def _swedish(msgid: str) -> str:
    with SV_MO.open("rb") as handle:
        return gettext.GNUTranslations(handle).gettext(msgid)


@pytest.mark.parametrize(("url_name", "msgids"), PAGES, ids=[name for name, _ in PAGES])
def test_pages_show_swedish_on_sv_and_english_on_en(client, db, url_name, msgids):
    from django.urls import reverse
    from django.utils import translation

    for language in ("sv", "en"):
        with translation.override(language):
            url = reverse(url_name)
        assert url.startswith(f"/{language}/")
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        for msgid in msgids:
            swedish = _swedish(msgid)
            assert swedish != msgid, f"{msgid!r} has no Swedish"
            expected, other = (swedish, msgid) if language == "sv" else (msgid, swedish)
            assert expected in html, f"{url}: {expected!r} missing"
            if other != expected and other not in expected:
                assert f">{other}<" not in html, f"{url}: {other!r} shown on the {language} page"


def test_the_home_page_menu_is_swedish_by_default(client, db):
    html = client.get("/sv/").content.decode()
    assert ">Verksamhetsplanen</a>" in html
    assert ">Mötesplatser</a>" in html
    assert ">Sök</a>" in html and ">Meny<" in html
    html = client.get("/en/").content.decode()
    assert ">Plan</a>" in html and ">Events</a>" in html and ">Search</a>" in html
