"""Import and export of organisations and persons (CSV, XLSX).

An organisation is identified by its short name (``slug``), a county by its official
code, so a file reads the same in every database. Persons have no natural key: they
are identified by ``id``; an empty id adds a new person.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from audit.context import current_actor
from malardal.importexport import BaseResource, ForeignKeyWidget

from .models import County, Organisation, Person
from .services import person_save


class OrganisationResource(BaseResource):
    county = Field(
        attribute="county", column_name="county", widget=ForeignKeyWidget(County, field="code")
    )

    required_columns = ("slug", "name_sv")
    export_select_related = ("county",)
    column_labels = {"county": _("County code")}

    class Meta:
        model = Organisation
        name = _("Organisations")
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "name_sv",
            "name_en",
            "kind",
            "county",
            "website",
            "member_since",
            "member_until",
            "description_sv",
            "description_en",
        )
        export_order = fields


class PersonResource(BaseResource):
    organisation = Field(
        attribute="organisation",
        column_name="organisation",
        widget=ForeignKeyWidget(Organisation, field="slug"),
    )

    required_columns = ("first_name", "last_name")
    export_select_related = ("organisation",)
    column_labels = {"organisation": _("Organisation (short name)")}

    class Meta:
        model = Person
        name = _("Persons")
        fields = (
            "id",
            "first_name",
            "last_name",
            "title_sv",
            "title_en",
            "organisation",
            "email",
            "phone",
            "party",
        )
        export_order = fields

    def before_import(self, dataset, **kwargs):
        # The user importing: person_save checks a login link against their rights.
        self._by = kwargs.get("user")
        super().before_import(dataset, **kwargs)

    def do_instance_save(self, instance, is_create):
        """Through the service, so a file can no more link a login (were a column of
        logins ever added) than the form can (issue 11)."""
        try:
            # Without a user in the import's arguments (a task), the user it acts for.
            by = getattr(self, "_by", None) or current_actor().user
            person_save(person=instance, by=by)
        except PermissionDenied as error:
            raise ValidationError({"user": " ".join(error.args)}) from None
