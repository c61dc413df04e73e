"""Import and export of organisations, memberships and persons (CSV, XLSX).

An organisation is identified by its short name (``slug``), a county by its official
code, so a file reads the same in every database. Persons and memberships have no
natural key: they are identified by ``id``; an empty id adds a new one. A membership
names its organisation by short name.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from audit.context import current_actor
from malardal.importexport import BaseResource, ForeignKeyWidget

from .models import County, Membership, Organisation, Person
from .services import membership_save, organisation_save, person_save


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
            "code",
            "name_sv",
            "name_en",
            "kind",
            "county",
            "website",
            "description_sv",
            "description_en",
        )
        export_order = fields

    def do_instance_save(self, instance, is_create):
        organisation_save(organisation=instance)


class MembershipResource(BaseResource):
    organisation = Field(
        attribute="organisation",
        column_name="organisation",
        widget=ForeignKeyWidget(Organisation, field="slug"),
    )
    organisation_code = Field(
        attribute="organisation__code", column_name="organisation_code", readonly=True
    )
    organisation_name = Field(
        attribute="organisation__name", column_name="organisation_name", readonly=True
    )

    required_columns = ("organisation", "kind")
    export_select_related = ("organisation",)
    column_labels = {
        "organisation": _("Organisation (short name)"),
        "organisation_code": _("Official code"),
        "organisation_name": _("Name of the organisation"),
    }

    class Meta:
        model = Membership
        name = _("Memberships")
        fields = (
            "id",
            "organisation",
            "organisation_code",
            "organisation_name",
            "kind",
            "start_date",
            "end_date",
            "note_sv",
            "note_en",
        )
        export_order = fields

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("organisation")
            .order_by("organisation__name", "start_date", "pk")
        )

    def do_instance_save(self, instance, is_create):
        # Through the service: the period is checked against the organisation's other
        # memberships (stored, and those the file saved before this row).
        membership_save(membership=instance)


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
