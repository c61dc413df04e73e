"""Import and export of events (CSV, XLSX).

An event is identified by its short name (``slug``); the body that meets by its short
name, hosts by their organisations' short names, the event it is part of by that
event's short name. Plan sections and activities are given by id.
"""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from malardal.importexport import BaseResource, ForeignKeyWidget, ManyToManyWidget
from members.models import Body, Organisation
from plan.models import Activity, Section

from .models import Event
from .services import event_save


class EventResource(BaseResource):
    body = Field(attribute="body", column_name="body", widget=ForeignKeyWidget(Body, field="slug"))
    parent = Field(
        attribute="parent", column_name="parent", widget=ForeignKeyWidget(Event, field="slug")
    )
    hosts = Field(
        attribute="hosts", column_name="hosts", widget=ManyToManyWidget(Organisation, field="slug")
    )
    sections = Field(
        attribute="sections", column_name="sections", widget=ManyToManyWidget(Section, field="pk")
    )
    activities = Field(
        attribute="activities",
        column_name="activities",
        widget=ManyToManyWidget(Activity, field="pk"),
    )

    required_columns = ("slug", "title_sv")
    column_labels = {
        "body": _("Body (short name)"),
        "parent": _("Part of (event's short name)"),
        "hosts": _("Hosts (organisations' short names)"),
        "sections": _("Plan sections (ids)"),
        "activities": _("Activities (ids)"),
    }
    export_select_related = ("body", "parent")
    export_prefetch_related = ("hosts", "sections", "activities")

    class Meta:
        model = Event
        name = _("Events")
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "kind",
            "title_sv",
            "title_en",
            "start_date",
            "end_date",
            "start_time",
            "end_time",
            "date_note_sv",
            "date_note_en",
            "place_sv",
            "place_en",
            "body",
            "parent",
            "hosts",
            "sections",
            "activities",
            "visibility",
            "registration_open",
            "description_sv",
            "description_en",
        )
        export_order = fields

    def do_instance_save(self, instance, is_create):
        # Through the service, so a changed time or place raises the calendar sequence.
        event_save(event=instance)
