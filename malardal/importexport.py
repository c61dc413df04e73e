"""What every import/export in the admin shares: the file formats we offer, strict
widgets, a base resource that refuses bad files as a whole, and the admin mixin.

The contract, for the secretariat: an exported file imports back with no changes;
an import shows a preview first and writes only when confirmed; and a file with
any bad row writes nothing at all, with each problem named by row and column.
"""

import datetime
from io import BytesIO

from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.resources import ModelResource
from import_export.tmp_storages import MediaStorage
from modeltranslation import settings as mt_settings
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from malardal.uploads import SizeLimitedImportForm

from .spreadsheets import neutralise, protect_xlsx_cell, restore


class CSV(base_formats.CSV):
    """CSV, also as a Swedish Excel saves it (semicolons between the columns).

    A text that starts with "=", "+", "-" or "@" would run as a formula when the file is
    opened in a spreadsheet; it is written with a leading apostrophe, which the import
    removes again, so the round trip is lossless (malardal.spreadsheets). (Upstream's
    escaping drops the "=" and turns every cell into text, which loses data.)
    """

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes) and self.encoding:
            in_stream = in_stream.decode(self.encoding)
        if isinstance(in_stream, str) and "delimiter" not in kwargs:
            header = in_stream.split("\n", 1)[0]
            if header.count(";") > header.count(","):
                kwargs["delimiter"] = ";"
        dataset = super().create_dataset(in_stream, **kwargs)
        for _row in range(dataset.height):
            row = dataset.lpop()
            dataset.append([_unescape_formula(cell) for cell in row])
        return dataset

    def _escape_formulae(self, dataset):
        for _row in range(dataset.height):
            row = dataset.lpop()
            dataset.append([_escape_formula(cell) for cell in row])


def _escape_formula(cell):
    # Every character that starts a formula (=, +, -, @, tab, CR), not only "=".
    return neutralise(cell)


def _unescape_formula(cell):
    return restore(cell)


class XLSX(base_formats.XLSX):
    """XLSX with typed cells (dates as dates, numbers as numbers). A text that starts
    with "=" is stored as a text cell, never as a formula, so it neither runs nor
    changes on the way back."""

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
        from openpyxl.styles import Alignment, Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Data"
        sheet.append(list(dataset.headers or []))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row_number, row in enumerate(dataset, start=2):
            for column_number, value in enumerate(row, start=1):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
                cell = sheet.cell(row=row_number, column=column_number, value=value)
                if isinstance(value, str):
                    cell.data_type = TYPE_STRING
                    protect_xlsx_cell(cell)
                    if "\n" in value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        stream = BytesIO()
        workbook.save(stream)
        return stream.getvalue()


FORMATS = [CSV, XLSX]


def _blank(value):
    return value is None or value == ""


class DateWidget(widgets.Widget):
    """Dates as YYYY-MM-DD. A spreadsheet's date cell (a datetime) becomes a date,
    so an XLSX round trip compares equal."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                gettext("“%(value)s” is not a date. Write dates as YYYY-MM-DD, e.g. 2023-05-04.")
                % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()


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


class TextWidget(widgets.Widget):
    """Text; an empty cell is an empty text (NULL where the column allows it, as the
    admin's translation fields store it)."""

    def __init__(self, null=False, **kwargs):
        self.null = null
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return None if self.null else ""
        return str(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class ForeignKeyWidget(widgets.ForeignKeyWidget):
    """A relation by a readable key (a slug, a county code); an unknown key is a
    row error that names it, not a crash."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _blank(value):
            value = str(value).strip()
        try:
            return super().clean(value, row=row, **kwargs)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise ValueError(self.not_found_message(value, row)) from None

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
    """A comma-separated list of keys; every key must exist."""

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return self.model.objects.none()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        keys = [k.strip() for k in str(value).split(self.separator) if k.strip()]
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
                    "values": get_text_list([f"“{k}”" for k in unknown], gettext("or")),
                }
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        related = sorted(value.all(), key=lambda obj: getattr(obj, self.field))
        return self.separator.join(str(getattr(obj, self.field)) for obj in related)


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
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            return DateWidget
        if isinstance(f, models.TimeField):
            return TimeWidget
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
                % {"columns": ", ".join(missing)}
            )
        unknown = [h for h in headers if h not in expected]
        if unknown:
            problems.append(
                gettext("The file has column(s) this import does not know: %(columns)s.")
                % {"columns": ", ".join(unknown)}
            )
        if problems:
            problems.append(
                gettext("The columns are: %(columns)s.") % {"columns": ", ".join(expected)}
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
        if dataset.headers:
            dataset.headers = [h.strip() if isinstance(h, str) else h for h in dataset.headers]
        problems = self.column_problems(dataset.headers)
        if problems:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.diff_headers = self.get_diff_headers()
            error = ValidationError(problems)
            if raise_errors:
                raise error
            result.append_base_error(self.get_error_result_class()(error))
            return result
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=rollback_on_validation_errors,
            **kwargs,
        )

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
        columns = {f.attribute: f.column_name for f in self.get_import_fields()}
        if name in columns:
            return columns[name]
        default = build_localized_fieldname(name, mt_settings.DEFAULT_LANGUAGE)
        return columns.get(default, name)

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


def _normalise(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


class ImportExportAdminMixin(ImportExportMixin):
    """Import and export (CSV, XLSX) with the house rules, on any model admin.

    Uploaded files wait for the confirm step in the default file storage (shared
    between web processes), not in one machine's /tmp. The confirm step imports with
    rollback on any row error, so a file that went bad between preview and confirm
    still writes nothing.
    """

    formats = FORMATS
    tmp_storage_class = MediaStorage
    # Files over IMPORT_MAX_FILE_SIZE are refused before they are read (issue 6).
    import_form_class = SizeLimitedImportForm
    # With a byte order mark, Excel opens the CSV file with å, ä and ö intact.
    to_encoding = "utf-8-sig"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """As upstream, but our XLSX subclass also gets typed cells (upstream checks
        the exact class)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=isinstance(file_format, base_formats.XLSX),
            **kwargs,
        )
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnicodeDecodeError):
            msg = _(
                "The file is not UTF-8 text, so it cannot be read. In Excel, save it as "
                "“CSV UTF-8 (comma delimited)”, or import it as an .xlsx file."
            )
        else:
            msg = _(
                "The file could not be read. Check that it is a %(formats)s file and that "
                "you chose its format."
            ) % {"formats": get_text_list([f().get_title() for f in self.formats], _("or"))}
        form.add_error("import_file", msg)

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
