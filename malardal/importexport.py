"""What every import/export in the admin shares: the file formats we offer, strict
widgets, a base resource that refuses bad files as a whole, and the admin mixin.

The contract, for the secretariat: an exported file imports back with no changes;
an import shows a preview first and writes only when confirmed; and a file with
any bad row writes nothing at all, with each problem named by row and column.
"""

import csv
import datetime
import io
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, get_text_list, slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import ModelResource
from import_export.tmp_storages import MediaStorage
from modeltranslation import settings as mt_settings
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from malardal.uploads import SizeLimitedImportForm

from . import tabular
from .spreadsheets import neutralise, protect_xlsx_cell, restore


class CSV(base_formats.CSV):
    """Plain CSV (RFC 4180: UTF-8, commas, CRLF), for other programs; it imports
    whatever Excel and LibreOffice write (malardal.tabular): UTF-8 with or without a
    byte order mark, Windows-1252 or UTF-16, with ``;``, ``,`` or tabs between the
    columns.

    A text that starts with "=", "+", "-" or "@" would run as a formula when the file is
    opened in a spreadsheet; it is written with a leading apostrophe, which the import
    removes again, so the round trip is lossless (malardal.spreadsheets). (Upstream's
    escaping drops the "=" and turns every cell into text, which loses data.)
    """

    delimiter = ","
    byte_order_mark = False
    decimal_comma = False

    def get_title(self):
        return "CSV"

    def is_binary(self):
        # We decode (detecting the encoding) and encode ourselves.
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        dataset = tabular.read_csv(in_stream)
        for _row in range(dataset.height):
            row = dataset.lpop()
            dataset.append([restore(cell) for cell in row])
        return dataset

    def export_data(self, dataset, **kwargs):
        stream = io.StringIO(newline="")
        writer = csv.writer(stream, delimiter=self.delimiter, lineterminator="\r\n")
        if dataset.headers:
            writer.writerow([neutralise(h) for h in dataset.headers])
        for row in dataset:
            writer.writerow([self.render_cell(cell) for cell in row])
        text = stream.getvalue()
        return (("\ufeff" if self.byte_order_mark else "") + text).encode("utf-8")

    def render_cell(self, value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, datetime.datetime):
            return _local(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        if isinstance(value, float | Decimal) and self.decimal_comma:
            return str(value).replace(".", ",")
        if isinstance(value, int | float | Decimal):
            return str(value)
        return neutralise(str(value))


class ExcelCSV(CSV):
    """CSV as Excel in Swedish writes and reads it, so a double-click opens it in
    columns with å, ä and ö intact: UTF-8 with a byte order mark, semicolons, CRLF,
    decimal commas. Dates stay ISO (YYYY-MM-DD), which Swedish Excel reads as dates."""

    delimiter = ";"
    byte_order_mark = True
    decimal_comma = True

    def get_title(self):
        return _("CSV for Excel (Swedish)")

    def get_extension(self):
        return "csv"


def _local(value: datetime.datetime) -> datetime.datetime:
    """An aware time as the wall-clock time in Stockholm, without a zone (spreadsheet
    cells have none)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


class XLSX(base_formats.XLSX):
    """XLSX with typed cells (dates as date cells, times in Stockholm as date-time
    cells, numbers as numbers), a frozen bold header row and columns as wide as their
    content. A text that starts with "=" is stored as a text cell, never as a formula,
    so it neither runs nor changes on the way back."""

    def get_title(self):
        return "XLSX (Excel)"

    def create_dataset(self, in_stream, **kwargs):
        return tabular.read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Data"
        headers = list(dataset.headers or [])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths = [len(str(h)) for h in headers]
        for row_number, row in enumerate(dataset, start=2):
            for column_number, value in enumerate(row, start=1):
                number_format = None
                if isinstance(value, datetime.datetime):
                    value, number_format = _local(value), "yyyy-mm-dd hh:mm"
                elif isinstance(value, datetime.date):
                    number_format = "yyyy-mm-dd"
                elif isinstance(value, datetime.time):
                    number_format = "hh:mm"
                elif isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
                cell = sheet.cell(row=row_number, column=column_number, value=value)
                if number_format:
                    cell.number_format = number_format
                if isinstance(value, str):
                    cell.data_type = TYPE_STRING
                    protect_xlsx_cell(cell)
                    if "\n" in value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                if column_number <= len(widths):
                    widths[column_number - 1] = max(
                        widths[column_number - 1], _display_width(value, number_format)
                    )
        for number, width in enumerate(widths, start=1):
            # Wide enough for the header and most values, never wider than a screen's
            # third: long texts wrap instead.
            sheet.column_dimensions[get_column_letter(number)].width = min(max(width, 6) + 2, 60)
        stream = BytesIO()
        workbook.save(stream)
        return stream.getvalue()


def _display_width(value, number_format):
    if value is None:
        return 0
    if number_format:
        return len(number_format)
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


# Import: CSV (any of the ways above) and XLSX. Export: XLSX first, the default choice.
FORMATS = [CSV, XLSX]
EXPORT_FORMATS = [CSV, XLSX, ExcelCSV]
DEFAULT_EXPORT_FORMAT = XLSX


def _blank(value):
    return value is None or (isinstance(value, str) and value.strip() == "")


class DateWidget(widgets.Widget):
    """Dates as YYYY-MM-DD; also a spreadsheet's date cell, ``2023-05-04 00:00:00``
    (Excel's CSV of a date cell) and a date cell that lost its format (a serial
    number)."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        try:
            return tabular.parse_date(value)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(
                gettext("“%(value)s” is not a date. Write dates as YYYY-MM-DD, e.g. 2023-05-04.")
                % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class DateTimeWidget(widgets.Widget):
    """A moment, exported as the wall-clock time in Stockholm (a date-time cell in
    XLSX, ``YYYY-MM-DD HH:MM`` in CSV); read back the same way."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime.datetime):
            moment = value
        else:
            try:
                moment = datetime.datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(
                    gettext(
                        "“%(value)s” is not a date and time. Write them as "
                        "YYYY-MM-DD HH:MM, e.g. 2023-05-04 09:30."
                    )
                    % {"value": value}
                ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if kwargs.get("force_native_type"):
            return value
        return _local(value).strftime("%Y-%m-%d %H:%M")


class TimeWidget(widgets.Widget):
    """Times as HH:MM (seconds are accepted)."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.time()
        if isinstance(value, datetime.time):
            return value
        try:
            return datetime.time.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                gettext("“%(value)s” is not a time. Write times as HH:MM, e.g. 09:30.")
                % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.strftime("%H:%M")


class IntegerWidget(widgets.IntegerWidget):
    """A whole number, as a spreadsheet writes it (``1 000`` with any kind of space,
    ``37,0``). A number with decimals is an error, never cut off: ``37,5`` is not 37."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = tabular.parse_decimal(value)
        except ValueError:
            raise ValueError(gettext("“%(value)s” is not a number.") % {"value": value}) from None
        if number != number.to_integral_value():
            raise ValueError(
                gettext("“%(value)s” is not a whole number; this column takes whole numbers.")
                % {"value": value}
            )
        return int(number)


class DecimalWidget(widgets.DecimalWidget):
    """A number with a decimal comma or point, spaces between thousands."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return tabular.parse_decimal(value)
        except ValueError:
            raise ValueError(gettext("“%(value)s” is not a number.") % {"value": value}) from None


class BooleanWidget(widgets.BooleanWidget):
    """Yes or no: 1/0, TRUE/FALSE, and SANT/FALSKT, which Excel in Swedish writes. Any
    other value is an error (upstream takes it for "no")."""

    TRUE_TEXTS = {"1", "true", "sant", "yes", "ja"}
    FALSE_TEXTS = {"0", "false", "falskt", "no", "nej"}

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None if kwargs.get("null", False) else False
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in self.TRUE_TEXTS:
            return True
        if text in self.FALSE_TEXTS:
            return False
        raise ValueError(
            gettext("“%(value)s” is neither yes nor no. Write 1 for yes and 0 for no.")
            % {"value": value}
        )


class TextWidget(widgets.Widget):
    """Text; an empty cell is an empty text (NULL where the column allows it, as the
    admin's translation fields store it). A number cell becomes its digits (``2023``,
    not ``2023.0``)."""

    def __init__(self, null=False, **kwargs):
        self.null = null
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None if self.null else ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class ChoiceWidget(TextWidget):
    """One of a field's choices: its code (``municipality``, as exports write it) or
    its name in Swedish or English (``Kommun``, ``Municipality``), in any case. Anything
    else is left for the model's validation to name as an invalid choice."""

    def __init__(self, choices=(), **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = super().clean(value, row=row, **kwargs)
        if not value:
            return value
        text = value.strip()
        codes = {str(code): str(code) for code, _label in self.choices}
        if text in codes:
            return text
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, label in self.choices:
                    if str(label).casefold() == text.casefold():
                        return str(code)
        return text


class ForeignKeyWidget(widgets.ForeignKeyWidget):
    """A relation by a readable key (a slug, a county code); an unknown key is a
    row error that names it, not a crash. A numeric code that a spreadsheet stripped of
    its leading zeros (county ``1``) is padded back to the key's width (``01``)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _blank(value):
            value = str(value).strip()
        try:
            return super().clean(value, row=row, **kwargs)
        except (ObjectDoesNotExist, ValueError, TypeError):
            padded = self._padded(value)
            if padded is not None:
                try:
                    return super().clean(padded, row=row, **kwargs)
                except (ObjectDoesNotExist, ValueError, TypeError):
                    pass
            raise ValueError(self.not_found_message(value, row)) from None

    def _padded(self, value):
        try:
            target = self.model._meta.get_field(self.field)
        except Exception:  # noqa: BLE001 — a path such as plan__year has no single field
            return None
        width = getattr(target, "max_length", None)
        if not width or not isinstance(value, str) or not value.isdigit():
            return None
        padded = tabular.pad_code(value, width)
        return padded if padded != value else None

    def not_found_message(self, value, row):
        return gettext("There is no %(model)s with %(key)s “%(value)s”.") % {
            "model": self.model._meta.verbose_name,
            "key": self.key_label(),
            "value": value,
        }

    def key_label(self):
        return _key_label(self.model, self.field)


def _key_label(model, field):
    if field in ("pk", "id"):
        return "id"
    return str(model._meta.get_field(field).verbose_name)


class ManyToManyWidget(widgets.ManyToManyWidget):
    """A list of keys, separated by ``;``, ``,``, ``|``, spaces or line breaks; every
    key must exist. Exported with ``;``, which neither Excel in Swedish nor in English
    takes for a decimal sign. A list of ids that a spreadsheet turned into a decimal
    number (``14,19`` → 14.19) is refused with the fix."""

    def __init__(self, model, separator=";", field=None, **kwargs):
        super().__init__(model, separator=separator, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return self.model.objects.none()
        if self.field in ("pk", "id") and tabular.mangled_list(value):
            raise ValueError(
                gettext(
                    "“%(value)s” is a decimal number, not a list of ids: the spreadsheet "
                    "read the ids' comma as a decimal comma. Separate the ids with "
                    "semicolons (e.g. 14;19), or format the column as text before typing."
                )
                % {"value": value}
            )
        keys = tabular.split_list(value)
        try:
            found = self.model.objects.filter(**{f"{self.field}__in": keys})
            known = {str(getattr(obj, self.field)) for obj in found}
        except (ValueError, TypeError, ValidationError):
            known = set()
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise ValueError(
                gettext("There is no %(model)s with %(key)s %(values)s.")
                % {
                    "model": self.model._meta.verbose_name,
                    "key": _key_label(self.model, self.field),
                    "values": get_text_list([_quoted(k) for k in unknown], gettext("or")),
                }
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        related = sorted(value.all(), key=lambda obj: getattr(obj, self.field))
        return self.separator.join(str(getattr(obj, self.field)) for obj in related)


class Diff(resources.Diff):
    """The preview's changes as ``<ins>`` and ``<del>`` without inline styles (upstream's
    diff-match-patch adds ``style=""``, which the Content-Security-Policy blocks); the
    colours are in static/css/admin-import.css."""

    def as_html(self):
        from diff_match_patch import diff_match_patch

        data = []
        dmp = diff_match_patch()
        for v1, v2 in zip(self.left, self.right, strict=False):
            if v1 != v2 and self.new:
                v1 = ""
            diff = dmp.diff_main(force_str(v1), force_str(v2))
            dmp.diff_cleanupSemantic(diff)
            parts = []
            for op, text in diff:
                text = escape(text).replace("\n", "&para;<br>")
                if op == dmp.DIFF_INSERT:
                    parts.append(f"<ins>{text}</ins>")
                elif op == dmp.DIFF_DELETE:
                    parts.append(f"<del>{text}</del>")
                else:
                    parts.append(f"<span>{text}</span>")
            data.append(mark_safe("".join(parts)))  # noqa: S308 — every text is escaped
        return data


class BaseResource(ModelResource):
    """A model resource with the house rules.

    Subclasses set ``required_columns`` (the columns a file must have) and may set
    ``export_select_related`` / ``export_prefetch_related`` so an export runs a fixed
    number of queries. A file with a missing or unknown column is refused before any
    row is read.
    """

    required_columns: tuple[str, ...] = ()
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @classmethod
    def get_diff_class(cls):
        return Diff

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.DateTimeField):
            return DateTimeWidget
        if isinstance(f, models.DateField):
            return DateWidget
        if isinstance(f, models.BooleanField):
            return BooleanWidget
        if isinstance(f, models.IntegerField | models.AutoField):
            return IntegerWidget
        if isinstance(f, models.DecimalField | models.FloatField):
            return DecimalWidget
        if isinstance(f, models.TimeField):
            return TimeWidget
        if isinstance(f, models.CharField) and f.choices:
            return lambda **kwargs: ChoiceWidget(choices=f.choices, null=f.null)
        if isinstance(f, models.CharField | models.TextField):
            return lambda **kwargs: TextWidget(null=f.null)
        return super().widget_from_django_field(f, default)

    # --- columns ---------------------------------------------------------------------

    def expected_columns(self):
        return [field.column_name for field in self.get_import_fields()]

    def column_problems(self, headers):
        """Return messages about missing and unknown columns, or an empty list."""
        headers = [str(h).strip() for h in headers or [] if not _blank(h)]
        expected = self.expected_columns()
        problems = []
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            problems.append(
                gettext("The file lacks the required column(s): %(columns)s.")
                % {"columns": ", ".join(_quoted(self.label_for_column(c)) for c in missing)}
            )
        unknown = [h for h in headers if h not in expected]
        if unknown:
            problems.append(
                gettext("The file has column(s) this import does not know: %(columns)s.")
                % {"columns": ", ".join(_quoted(h) for h in unknown)}
            )
        duplicated = sorted({h for h in headers if headers.count(h) > 1})
        if duplicated:
            problems.append(
                gettext("The file has the column(s) %(columns)s twice.")
                % {"columns": ", ".join(_quoted(self.label_for_column(c)) for c in duplicated)}
            )
        if problems:
            problems.append(
                gettext("The columns are: %(columns)s.")
                % {"columns": ", ".join(self.label_for_column(c) for c in expected)}
            )
        return problems

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=True,
        **kwargs,
    ):
        """As upstream, but all or nothing by default: a row that fails validation rolls
        back the whole file, not just itself."""
        # Only the admin's preview passes these: above `background_rows` rows the preview
        # runs the file-level checks only (the rows are checked and imported by a
        # Celery task); `progress(rows_done)` is called as rows are imported.
        background_rows = kwargs.pop("background_rows", None)
        self._progress = kwargs.pop("progress", None)
        self._rows_done = 0
        source = getattr(dataset, "source", None)
        if dataset.headers:
            dataset.headers = self.rename_headers(dataset.headers)
        problems = self.column_problems(dataset.headers) or self.file_problems(dataset)
        if problems:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.diff_headers = self.get_diff_headers()
            result.source = source
            error = ValidationError(problems)
            if raise_errors:
                raise error
            result.append_base_error(self.get_error_result_class()(error))
            return result
        if dry_run and background_rows is not None and len(dataset) > background_rows:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.diff_headers = self.get_diff_headers()
            result.source = source
            result.in_background = True
            return result
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=rollback_on_validation_errors,
            **kwargs,
        )
        result.source = source
        return result

    def file_problems(self, dataset):
        """Messages about the file as a whole, found before any row is imported: text
        garbled by a wrong encoding, and two rows for the same object."""
        problems = []
        garbled = tabular.garbled_rows(dataset)
        if garbled:
            problems.append(
                gettext(
                    "The text in %(rows)s looks garbled (e.g. “Ã¤” where “ä” was meant, "
                    "“â€“” for “–”): the file was saved as UTF-8 and then opened as "
                    "Windows-1252. Nothing was imported. Open the original file again, "
                    "or save it from Excel as “CSV UTF-8” or as a workbook (.xlsx)."
                )
                % {"rows": _rows_list(garbled)}
            )
        problems.extend(self.duplicate_problems(dataset))
        return problems

    def duplicate_problems(self, dataset):
        """Two rows with the same key would both be applied, the second silently undoing
        the first: such a file is refused, naming the rows. Rows with an empty id (new
        objects) are not keys."""
        headers = list(dataset.headers or [])
        fields = [self.fields[name] for name in self.get_import_id_fields() if name in self.fields]
        columns = [f.column_name for f in fields]
        if not columns or any(c not in headers for c in columns):
            return []
        indexes = [headers.index(c) for c in columns]
        seen: dict[tuple, list[int]] = {}
        for number, row in enumerate(dataset, start=1):
            key = tuple(_key_value(row[i]) for i in indexes)
            if all(k == "" for k in key):
                continue
            seen.setdefault(key, []).append(number)
        problems = []
        for key, numbers in seen.items():
            if len(numbers) > 1:
                problems.append(
                    gettext(
                        "%(rows)s have the same %(column)s, “%(value)s”: a file may name "
                        "each %(model)s once, or the later row would silently undo the "
                        "earlier. Keep one of them."
                    )
                    % {
                        "rows": capfirst(_rows_list(numbers)),
                        "column": _quoted(" / ".join(self.column_label(f) for f in fields)),
                        "value": " / ".join(key),
                        "model": self._meta.model._meta.verbose_name,
                    }
                )
        return problems

    # --- column headers ---------------------------------------------------------------
    # A file's header row holds each column's label in the language of the page it came
    # from ("Planens år" at /sv/, "Plan year" at /en/); an import takes either
    # language's labels, and the short names (plan_year) that older files have.

    column_labels: dict = {}

    def column_label(self, field) -> str:
        """The column's header in the active language: ``column_labels``, else the
        model field's verbose name; a translated text gets its language code, e.g.
        "Text (sv)"."""
        if field.column_name in self.column_labels:
            return str(self.column_labels[field.column_name])
        model_field = self._model_field(field)
        if model_field is None:
            return field.column_name
        if field.column_name in ("id", "pk") or model_field.primary_key:
            return "id"
        original = getattr(model_field, "translated_field", None)
        if original is not None:
            return f"{capfirst(original.verbose_name)} ({model_field.language})"
        return str(capfirst(model_field.verbose_name))

    def _model_field(self, field):
        if not field.attribute or "__" in field.attribute:
            return None
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            return None

    def header_map(self) -> dict[str, str]:
        """Normalised header → column name, for every language's labels."""
        mapping = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for field in self.get_import_fields():
                    mapping.setdefault(_normal_header(self.column_label(field)), field.column_name)
        for field in self.get_import_fields():
            mapping[_normal_header(field.column_name)] = field.column_name
        return mapping

    def rename_headers(self, headers):
        mapping = self.header_map()
        return [
            mapping.get(_normal_header(h), h.strip() if isinstance(h, str) else h)
            for h in headers or []
        ]

    def label_for_column(self, column_name: str) -> str:
        field = next((f for f in self.get_import_fields() if f.column_name == column_name), None)
        return column_name if field is None else self.column_label(field)

    def get_export_headers(self, selected_fields=None):
        return [self.column_label(f) for f in self.get_export_fields(selected_fields) if f]

    def get_diff_headers(self):
        return [self.column_label(f) for f in self.get_import_fields()]

    def get_user_visible_fields(self):
        fields = super().get_user_visible_fields()
        return [_Labelled(f, self.column_label(f)) for f in fields]

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        self._rows_done += 1
        if self._progress is not None and self._rows_done % 20 == 0:
            self._progress(self._rows_done)
        return row_result

    # --- rows ------------------------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        """An id that names no existing row is an error: adding a row is done with an
        empty id, so a stale file cannot resurrect deleted rows under old ids."""
        id_fields = [self.fields[name] for name in self.get_import_id_fields()]
        keyed_by_id = [f for f in id_fields if f.attribute in ("id", "pk")]
        for field in keyed_by_id:
            if field.column_name in row and not _blank(row[field.column_name]):
                try:
                    field.clean(row)
                except ValueError:
                    raise ValidationError(
                        {field.attribute: gettext("“%s” is not an id.") % row[field.column_name]}
                    ) from None
                instance = self.get_instance(instance_loader, row)
                if instance is None:
                    raise ValidationError(
                        {
                            field.attribute: gettext(
                                "There is no %(model)s with id %(id)s. Leave the id empty "
                                "to add a new one."
                            )
                            % {
                                "model": self._meta.model._meta.verbose_name,
                                "id": row[field.column_name],
                            }
                        }
                    )
                return instance, False
        return super().get_or_init_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        """Set the plain fields, and check the many-to-many columns too, so that an
        unknown key in them is a row error before anything is saved."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for field in self.get_import_fields():
            if not isinstance(field.widget, widgets.ManyToManyWidget) or field.readonly:
                continue
            if field.column_name not in row:
                continue
            try:
                field.clean(row)
            except ValueError as e:
                errors[field.attribute] = ValidationError(str(e), code="invalid")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Report an error on a translated field's original (``text``) under the
        column the user sees (``text_sv``)."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as e:
            if not hasattr(e, "error_dict"):
                raise
            renamed = {}
            for name, errors in e.error_dict.items():
                renamed[self._column_for_attribute(name)] = errors
            raise ValidationError(renamed) from None

    def _column_for_attribute(self, name):
        """The header the user sees for an error on attribute `name`."""
        fields = {f.attribute: f for f in self.get_import_fields()}
        field = fields.get(name) or fields.get(
            build_localized_fieldname(name, mt_settings.DEFAULT_LANGUAGE)
        )
        return name if field is None else self.column_label(field)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged rows are skipped. Empty text equals NULL, and many-to-many values
        compare as sets, so an exported file imports back with no changes."""
        if not self._meta.skip_unchanged or self._meta.skip_diff or import_validation_errors:
            return False
        for field in self.get_import_fields():
            if field.column_name not in row or field.readonly:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                new = {obj.pk for obj in field.clean(row)}
                old = (
                    set()
                    if original.pk is None
                    else {obj.pk for obj in field.get_value(original).all()}
                )
                if new != old:
                    return False
            elif _normalise(field.get_value(instance)) != _normalise(field.get_value(original)):
                return False
        return True

    # --- export ----------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset


class _Labelled:
    """A resource field shown under its label (the admin's pages list
    ``field.column_name``)."""

    def __init__(self, field, label):
        self._field = field
        self.column_name = label

    def __getattr__(self, name):
        return getattr(self._field, name)


def _normal_header(header) -> str:
    return " ".join(str(header or "").split()).casefold()


def _quoted(text) -> str:
    """A name in the language's quotation marks (”Kortnamn” in Swedish)."""
    return gettext("“%(text)s”") % {"text": text}


def _key_value(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _rows_list(numbers: list[int]) -> str:
    """ "row 2 (line 3 of the file)", "rows 2 and 5 (lines 3 and 6 of the file)"; at most
    ten numbers, then "and N more"."""
    shown = numbers[:10]
    rows = [str(n) for n in shown]
    lines = [str(n + 1) for n in shown]
    if len(numbers) > len(shown):
        more = gettext("%(count)s more") % {"count": len(numbers) - len(shown)}
        rows.append(more)
        lines.append(more)
    return ngettext(
        "row %(rows)s (line %(lines)s of the file)",
        "rows %(rows)s (lines %(lines)s of the file)",
        len(numbers),
    ) % {"rows": get_text_list(rows, gettext("and")), "lines": get_text_list(lines, gettext("and"))}


def _normalise(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


class ExportForm(SelectableFieldsExportForm):
    """The export form with XLSX chosen (it opens right by double-click) and no empty
    "---" choice."""

    def _init_formats(self, formats):
        super()._init_formats(formats)
        field = self.fields["format"]
        field.choices = [choice for choice in field.choices if choice[0] != ""]
        default = [i for i, f in enumerate(formats) if f is DEFAULT_EXPORT_FORMAT]
        if default:
            field.initial = str(default[0])

    def _get_field_label(self, resource, field_name):
        instance = resource()
        field = instance.fields.get(field_name)
        if field is None or not hasattr(instance, "column_label"):
            return super()._get_field_label(resource, field_name)
        return instance.column_label(field)


def result_messages(result) -> list[str]:
    """Every problem of an import result as plain sentences, in the active language:
    the file's problems, then each row's, by row and column (as the import page shows
    them)."""
    messages_ = []
    for error in result.base_errors:
        messages_.extend(getattr(error.error, "messages", None) or [str(error.error)])
    for number, errors in result.row_errors():
        for error in errors:
            messages_.append(
                gettext("Row %(number)s (line %(line)s of the file)")
                % {"number": number, "line": number + 1}
                + f": {error.error}"
            )
    for row in result.invalid_rows:
        for column, errors in row.field_specific_errors.items():
            for error in errors:
                messages_.append(
                    gettext("Row %(number)s (line %(line)s of the file), column “%(column)s”")
                    % {"number": row.number, "line": row.number + 1, "column": column}
                    + f": {error}"
                )
        for error in row.non_field_specific_errors:
            messages_.append(
                gettext("Row %(number)s (line %(line)s of the file)")
                % {"number": row.number, "line": row.number + 1}
                + f": {error}"
            )
    return messages_


class ImportExportAdminMixin(ImportExportMixin):
    """Import and export (CSV, XLSX) with the house rules, on any model admin.

    Uploaded files wait for the confirm step in the default file storage (shared
    between web processes), not in one machine's /tmp. The confirm step imports with
    rollback on any row error, so a file that went bad between preview and confirm
    still writes nothing. A file of more than IMPORT_BACKGROUND_ROWS rows is checked
    as a whole in the preview and imported by a Celery task (malardal.services), whose
    progress page refreshes itself.
    """

    formats = FORMATS
    export_formats = EXPORT_FORMATS
    export_form_class = ExportForm
    tmp_storage_class = MediaStorage
    # Files over IMPORT_MAX_FILE_SIZE are refused before they are read (issue 6).
    import_form_class = SizeLimitedImportForm

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import/jobs/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_export_filename(self, request, queryset, file_format):
        """ "organisationer-2023-05-04.xlsx": the list's name in the page's language and
        the day in Stockholm."""
        name = slugify(self.model._meta.verbose_name_plural) or self.model._meta.model_name
        return f"{name}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """As upstream, but every format of ours gets typed values (dates, numbers) and
        writes them its own way (upstream checks the exact class)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(data)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        kwargs["background_rows"] = settings.IMPORT_BACKGROUND_ROWS
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, tabular.FileProblem):
            msg = str(e)
        else:
            msg = _(
                "The file could not be read. Check that it is a %(formats)s file and that "
                "you chose its format."
            ) % {"formats": get_text_list([f().get_title() for f in self.formats], _("or"))}
        form.add_error("import_file", msg)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirm step. As upstream, but a large file becomes a background job,
        and a bad or stale confirm form is a message, never a 500."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import.__wrapped__(self, request, **kwargs)
        formats = self.get_import_formats()
        try:
            format_index = int(confirm_form.cleaned_data["format"])
            input_format = formats[format_index]()
        except (ValueError, IndexError):
            raise SuspiciousOperation("unknown import format") from None
        tmp_storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode="rb",
            **self.get_tmp_storage_class_kwargs(),
        )
        import_url = reverse(
            "admin:{}_{}_import".format(*self.get_model_info()), current_app=self.admin_site.name
        )
        try:
            data = tmp_storage.read()
        except (FileNotFoundError, OSError):
            messages.error(
                request,
                _(
                    "The file is no longer waiting to be imported (it was imported already?). "
                    "Upload it again."
                ),
            )
            return HttpResponseRedirect(import_url)
        try:
            dataset = input_format.create_dataset(data)
        except tabular.FileProblem as problem:
            tmp_storage.remove()
            messages.error(request, str(problem))
            return HttpResponseRedirect(import_url)
        if len(dataset) > settings.IMPORT_BACKGROUND_ROWS:
            from .services import import_job_create

            job = import_job_create(
                model=self.model,
                resource_index=self.get_resource_index(confirm_form),
                format_index=format_index,
                data=data,
                file_name=confirm_form.cleaned_data["original_file_name"],
                rows=len(dataset),
                by=request.user,
            )
            tmp_storage.remove()
            return HttpResponseRedirect(
                reverse(
                    "admin:{}_{}_import_job".format(*self.get_model_info()),
                    args=[job.pk],
                    current_app=self.admin_site.name,
                )
            )
        result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        tmp_storage.remove()
        return self.process_result(result, request)

    def import_template_view(self, request):
        """An XLSX file to start from: the columns, headed in the page's language, and
        one example row, the first row there is (it imports back unchanged)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0](
            **self.get_import_resource_kwargs(request)
        )
        queryset = resource.get_queryset().order_by("pk")[:1]
        dataset = resource.export(queryset=queryset, force_native_type=True)
        content = XLSX().export_data(dataset)
        response = HttpResponse(content, content_type=XLSX().get_content_type())
        name = slugify(self.model._meta.verbose_name_plural) or self.model._meta.model_name
        suffix = slugify(gettext("template"))
        filename = f"{name}-{suffix}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def add_success_message(self, result, request):
        messages.success(
            request,
            gettext("Imported: %(new)s new, %(update)s changed, %(skip)s unchanged %(name)s.")
            % {
                "new": result.totals["new"],
                "update": result.totals["update"],
                "skip": result.totals["skip"],
                "name": self.model._meta.verbose_name_plural,
            },
        )

    def _create_log_entry(self, user_pk, rows, import_type, action_flag):
        """The admin's history: one entry per object, in the importer's language (as
        the admin writes its own)."""
        text = {
            "new": gettext("Added by importing a file."),
            "update": gettext("Changed by importing a file."),
            "delete": gettext("Deleted by importing a file."),
        }.get(import_type, import_type)
        if rows:
            LogEntry.objects.log_actions(
                user_pk, rows, action_flag, change_message=text, single_object=len(rows) == 1
            )

    def import_job_view(self, request, job_id):
        """The page of a background import: progress while it runs (the page reloads
        itself every few seconds, no script needed), then the result or every error."""
        from .models import ImportJob
        from .services import import_job_progress

        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, model=self.model._meta.label)
        context = self.admin_site.each_context(request)
        context.update(
            {
                "title": _("Import"),
                "opts": self.model._meta,
                "job": job,
                "rows_done": import_job_progress(job),
                "refresh_seconds": 3,
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/import_export/import_job.html", context)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            return self._render_failed_import(result, request)
        return super().process_result(result, request)

    def _render_failed_import(self, result, request):
        messages.error(request, _("Nothing was imported: the file has errors."))
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        resource = self.get_import_resource_classes(request)[0](
            **self.get_import_resource_kwargs(request)
        )
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": _("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "result": result,
                "import_error_display": self.import_error_display,
                "fields_list": [
                    (
                        resource.get_display_name(),
                        [f.column_name for f in resource.get_user_visible_fields()],
                    )
                ],
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


class ImportExportTranslationAdmin(ImportExportAdminMixin, TranslationAdmin):
    """Import and export on a translated model's admin."""


class ImportExportModelAdmin(ImportExportAdminMixin, admin.ModelAdmin):
    """Import and export on the admin of a model without translated fields."""
