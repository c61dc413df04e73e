"""An import that moves an event raises its calendar sequence too: the import goes
through events.services.event_save (issue 13.7)."""

import datetime

import pytest
import tablib

from events.models import Event
from events.resources import EventResource

from ..factories import EventFactory

pytestmark = pytest.mark.django_db


def test_an_import_that_moves_an_event_raises_its_sequence():
    event = EventFactory(
        slug="radsmote", place_sv="Eskilstuna", start_date=datetime.date(2031, 3, 10), end_date=None
    )
    uid = event.uid
    resource = EventResource()
    dataset = resource.export(queryset=Event.objects.filter(pk=event.pk))
    row = list(dataset[0])
    row[row.index("Eskilstuna")] = "Västerås"  # the Swedish place (headers are labels)
    changed = tablib.Dataset(row, headers=dataset.headers)

    result = resource.import_data(changed, dry_run=False, raise_errors=True)

    assert not result.has_errors() and not result.has_validation_errors()
    event.refresh_from_db()
    assert event.place_sv == "Västerås"
    assert event.sequence == 1
    assert event.uid == uid
