"""Addresses of the plan's pages without a ``reverse()`` per row.

A page that links 2,000 activities would spend much of its time in ``reverse()``
(issue 12). Each address here is reversed once per URL name, language, script prefix
and urlconf with marker values in place of the arguments, then cut at the markers; a
row's address is the pieces joined with its own values. The result is what
``reverse()`` gives for the same arguments (tests/plan/test_links.py).

    activity_url(2023, 17)      # "/sv/plan/2023/activity/17/" under /sv/
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Values no real argument takes, that converters pass through unchanged (int: digits;
# slug: letters, digits and hyphens).
_MARKERS = {"year": 987654321001, "pk": 987654321002, "slug": "zq-marker-slug-zq"}

_cache: dict[tuple, tuple[list[str], tuple[str, ...]]] = {}


def _pieces(name: str, args: tuple[str, ...]) -> tuple[list[str], tuple[str, ...]]:
    key = (name, args, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    found = _cache.get(key)
    if found is None:
        url = reverse(name, kwargs={arg: _MARKERS[arg] for arg in args})
        order = []
        # Split at each marker in the order they appear in the address.
        positions = sorted((url.index(str(_MARKERS[arg])), arg) for arg in args)
        pieces = []
        start = 0
        for position, arg in positions:
            pieces.append(url[start:position])
            order.append(arg)
            start = position + len(str(_MARKERS[arg]))
        pieces.append(url[start:])
        found = (pieces, tuple(order))
        if len(_cache) > 512:  # languages × prefixes × urlconfs: a handful in practice
            _cache.clear()
        _cache[key] = found
    return found


def url(name: str, **values) -> str:
    """``reverse(name, kwargs=values)`` for the arguments year, pk and slug."""
    pieces, order = _pieces(name, tuple(sorted(values)))
    out = [pieces[0]]
    for arg, piece in zip(order, pieces[1:], strict=True):
        out.append(str(values[arg]))
        out.append(piece)
    return "".join(out)


def activity_url(year: int, pk: int) -> str:
    return url("plan:activity_detail", year=year, pk=pk)


def goal_url(year: int, pk: int) -> str:
    return url("plan:goal_detail", year=year, pk=pk)


def section_url(year: int, slug: str) -> str:
    return url("plan:section_detail", year=year, slug=slug)
