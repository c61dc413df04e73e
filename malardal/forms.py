from django import forms


class PlainTextField(forms.CharField):
    """A textarea's text with the browser's CRLF line ends turned into LF.

    Browsers submit textareas with CRLF; stored texts use LF. Without this, the first
    save of an untouched text counts as a change in the admin history and the audit.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value
