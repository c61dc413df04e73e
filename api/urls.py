"""The open-data API, version 1: ``/api/v1/`` (not under /sv/ or /en/: every text is in
both languages in every response)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from . import views

app_name = "api"


def _list(viewset):
    return viewset.as_view({"get": "list"})


def _detail(viewset):
    return viewset.as_view({"get": "retrieve"})


urlpatterns = [
    path("", views.Root.as_view(), name="root"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("dcat.jsonld", views.DcatCatalogue.as_view(), name="dcat"),
    path("plans/", _list(views.PlanViewSet), name="plan_list"),
    path("plans/<int:year>/", _detail(views.PlanViewSet), name="plan_detail"),
    path("plans/<int:year>/export.json", views.PlanExportJson.as_view(), name="plan_export_json"),
    path("plans/<int:year>/export.csv", views.PlanExportCsv.as_view(), name="plan_export_csv"),
    path("sections/", _list(views.SectionViewSet), name="section_list"),
    path("sections/<int:pk>/", _detail(views.SectionViewSet), name="section_detail"),
    path("goals/", _list(views.GoalViewSet), name="goal_list"),
    path("goals/<int:pk>/", _detail(views.GoalViewSet), name="goal_detail"),
    path("activities/", _list(views.ActivityViewSet), name="activity_list"),
    path("activities/<int:pk>/", _detail(views.ActivityViewSet), name="activity_detail"),
    path("statuses/", _list(views.StatusViewSet), name="status_list"),
    path("indicators/", _list(views.IndicatorViewSet), name="indicator_list"),
    path("indicators/<slug:slug>/", _detail(views.IndicatorViewSet), name="indicator_detail"),
    path("events/", _list(views.EventViewSet), name="event_list"),
    path("events/<slug:slug>/", _detail(views.EventViewSet), name="event_detail"),
    path("organisations/", _list(views.OrganisationViewSet), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        _detail(views.OrganisationViewSet),
        name="organisation_detail",
    ),
    path("programmes/", views.ProgrammeList.as_view(), name="programme_list"),
]
