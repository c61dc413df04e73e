"""Maximum lengths of free text (issue 11, point 6).

A ``TextField``'s ``max_length`` only reaches its form field (the admin's textarea and
its check); the validator makes ``full_clean()`` — services and imports — refuse longer
text too, with Django's message ("Ensure this value has at most 20000 characters").
Write ``models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))``.
"""

from django.core.validators import MaxLengthValidator

# A report's comment (the follow-up form says so too).
COMMENT = 4_000
# An activity's, a goal's or a priority's text.
ITEM_TEXT = 10_000
# A description of an organisation, body, event, programme register entry.
DESCRIPTION = 20_000
# A plan's introduction, a section's body and closing text.
BODY_TEXT = 50_000


def max_text(limit: int) -> dict:
    """The keyword arguments that cap a TextField at ``limit`` characters everywhere."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}
