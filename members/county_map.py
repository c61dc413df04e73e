"""A tile map of Sweden's 21 counties, drawn on the server as SVG.

No map data is needed: every county is one equal tile, placed on a grid roughly where it
lies (Norrbotten at the top, Skåne at the bottom, Gotland out to the east), so the
programme pages can show which counties take part at a glance. The picture is drawn
with presentation attributes only (no CSS, no script), so the same SVG works in a page
under a strict Content-Security-Policy and in a PDF.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .models import County

# (column, row) of each county code on the grid.
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "25": (3, 0),  # Norrbotten
    "24": (2, 1),  # Västerbotten
    "23": (1, 2),  # Jämtland
    "22": (2, 2),  # Västernorrland
    "20": (1, 3),  # Dalarna
    "21": (2, 3),  # Gävleborg
    "17": (0, 4),  # Värmland
    "18": (1, 4),  # Örebro
    "19": (2, 4),  # Västmanland
    "03": (3, 4),  # Uppsala
    "14": (0, 5),  # Västra Götaland
    "05": (1, 5),  # Östergötland
    "04": (2, 5),  # Södermanland
    "01": (3, 5),  # Stockholm
    "13": (0, 6),  # Halland
    "06": (1, 6),  # Jönköping
    "08": (2, 6),  # Kalmar
    "09": (3, 6),  # Gotland
    "12": (0, 7),  # Skåne
    "07": (1, 7),  # Kronoberg
    "10": (2, 7),  # Blekinge
}

# Labels for counties the database does not hold (yet): the official names, so the
# picture is readable before the secretariat has entered all 21 counties.
COUNTY_NAMES: dict[str, dict[str, str]] = {
    "01": {"sv": "Stockholms län", "en": "Stockholm County"},
    "03": {"sv": "Uppsala län", "en": "Uppsala County"},
    "04": {"sv": "Södermanlands län", "en": "Södermanland County"},
    "05": {"sv": "Östergötlands län", "en": "Östergötland County"},
    "06": {"sv": "Jönköpings län", "en": "Jönköping County"},
    "07": {"sv": "Kronobergs län", "en": "Kronoberg County"},
    "08": {"sv": "Kalmar län", "en": "Kalmar County"},
    "09": {"sv": "Gotlands län", "en": "Gotland County"},
    "10": {"sv": "Blekinge län", "en": "Blekinge County"},
    "12": {"sv": "Skåne län", "en": "Skåne County"},
    "13": {"sv": "Hallands län", "en": "Halland County"},
    "14": {"sv": "Västra Götalands län", "en": "Västra Götaland County"},
    "17": {"sv": "Värmlands län", "en": "Värmland County"},
    "18": {"sv": "Örebro län", "en": "Örebro County"},
    "19": {"sv": "Västmanlands län", "en": "Västmanland County"},
    "20": {"sv": "Dalarnas län", "en": "Dalarna County"},
    "21": {"sv": "Gävleborgs län", "en": "Gävleborg County"},
    "22": {"sv": "Västernorrlands län", "en": "Västernorrland County"},
    "23": {"sv": "Jämtlands län", "en": "Jämtland County"},
    "24": {"sv": "Västerbottens län", "en": "Västerbotten County"},
    "25": {"sv": "Norrbottens län", "en": "Norrbotten County"},
}

TILE_WIDTH = 140
TILE_HEIGHT = 60
GAP = 6
MARGIN = 2
LINE_HEIGHT = 16
MAX_LINE = 15  # characters on one label line before it is split


@dataclass(frozen=True)
class Tile:
    code: str
    x: int
    y: int
    width: int
    height: int
    label_lines: tuple[str, ...]
    participating: bool

    @property
    def label_x(self) -> int:
        return self.x + self.width // 2

    @property
    def label_ys(self) -> list[tuple[int, str]]:
        """(baseline y, text) of each label line, centred in the tile."""
        centre = self.y + self.height // 2
        first = centre - (len(self.label_lines) - 1) * LINE_HEIGHT // 2 + 5
        return [(first + i * LINE_HEIGHT, line) for i, line in enumerate(self.label_lines)]


@dataclass(frozen=True)
class CountyMap:
    tiles: list[Tile]
    width: int
    height: int

    @property
    def participating(self) -> list[Tile]:
        return [tile for tile in self.tiles if tile.participating]


def _label_lines(name: str) -> tuple[str, ...]:
    if len(name) <= MAX_LINE or " " not in name:
        return (name,)
    head, _, tail = name.rpartition(" ")
    return (head, tail)


def county_map(counties: Iterable[County], participating_codes: Iterable[str]) -> CountyMap:
    """The tiles of every county on the grid. `counties` gives the labels (in the active
    language); a county missing from it gets its official name. Codes of
    `participating_codes` are marked as taking part. Counties with a code outside the
    grid are left out of the picture (they still appear in the page's list)."""
    language = (get_language() or "sv").split("-")[0]
    names = {code: names.get(language, names["sv"]) for code, names in COUNTY_NAMES.items()}
    names.update({county.code: county.name for county in counties})
    taking_part = set(participating_codes)
    tiles = []
    for code, (column, row) in TILE_POSITIONS.items():
        name = names[code]
        tiles.append(
            Tile(
                code=code,
                x=MARGIN + column * (TILE_WIDTH + GAP),
                y=MARGIN + row * (TILE_HEIGHT + GAP),
                width=TILE_WIDTH,
                height=TILE_HEIGHT,
                label_lines=_label_lines(name),
                participating=code in taking_part,
            )
        )
    columns = 1 + max(column for column, _row in TILE_POSITIONS.values())
    rows = 1 + max(row for _column, row in TILE_POSITIONS.values())
    return CountyMap(
        tiles=tiles,
        width=2 * MARGIN + columns * TILE_WIDTH + (columns - 1) * GAP,
        height=2 * MARGIN + rows * TILE_HEIGHT + (rows - 1) * GAP,
    )


def map_texts(programme_name: str, names: list[str]) -> dict[str, str]:
    """The picture's title and description (its text alternative), in the active
    language."""
    return {
        "map_title": _("Map of Sweden's counties: those taking part in %(programme)s are marked")
        % {"programme": programme_name},
        "map_description": ngettext(
            "%(count)d county takes part: %(names)s.",
            "%(count)d counties take part: %(names)s.",
            len(names),
        )
        % {"count": len(names), "names": ", ".join(names)},
    }
