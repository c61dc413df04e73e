"""Signals the members app sends, so the apps above it (events, reminders) act on its
changes without members importing them (apps depend one way: members ← events ← reminders).

``person_erasing(sender=Person, person, user, emails)``: sent inside the transaction of
``services.person_erase``, before the login is closed. ``user`` is the person's login or
None, ``emails`` the addresses they had. Each receiver deletes or anonymises what its app
keeps about the person and returns what went, as ``{label: [old, new]}``; the erasure's
audit entry lists it. Receivers must not raise for a person they know nothing of.
"""

from django.dispatch import Signal

person_erasing = Signal()
