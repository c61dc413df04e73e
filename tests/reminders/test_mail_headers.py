"""A line break in an event's title or a person's name (typed in an import) cannot add
a mail header or stop the reminder: the subject and the recipient's name are folded
onto one line (issue 11, point 6). Read back from a real SMTP server."""

import pytest

from malardal.mail import header_text
from reminders import services

from .conftest import TODAY


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Styrelsemöte\r\nBcc: evil@example.org", "Styrelsemöte Bcc: evil@example.org"),
        ("a\u2028b\u0085c\x00d\te", "a b c d e"),
        ("  ", ""),
    ],
)
def test_header_text_is_one_line(value, expected):
    assert header_text(value) == expected


def test_a_name_with_line_breaks_gives_a_one_line_subject(
    smtp, followup, django_capture_on_commit_callbacks
):
    """The period's name and the owner's name, imported with line breaks and a forged
    header, go out folded onto one line: no header is added, the mail is not stopped."""
    period, anna = followup["period"], followup["anna"]
    period.name_sv = "Tertial 1\r\nBcc: evil@example.org"
    period.save()
    anna.first_name = "Anna\nX-Evil: yes"
    anna.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=TODAY)

    [mail] = smtp.to("anna@example.org")
    assert "evil@example.org" not in [m["X-Envelope-To"] for m in smtp.messages]
    subject = str(mail["Subject"])
    assert " ".join(subject.split()).startswith(
        "Påminnelse: rapportera uppföljningen för Tertial 1 Bcc: evil@example.org senast"
    )
    assert mail["Bcc"] is None and mail["X-Evil"] is None
    assert "Anna X-Evil: yes" in str(mail["To"])
