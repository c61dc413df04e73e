from django.urls import path

from . import views, views_followup, views_goals, views_versions

app_name = "plan"

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.archive, name="archive"),
    path("search/", views.search, name="search"),
    path("start/", views.start, name="start"),
    path("plan/<int:year>/", views.plan_detail, name="plan_detail"),
    path("plan/<int:year>/activity/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("plan/<int:year>/goals/<int:pk>/", views_goals.goal_detail, name="goal_detail"),
    # Follow-up (views_followup). Before the section pattern, which would take "changes".
    path("plan/<int:year>/document.pdf", views_followup.plan_document, name="plan_document"),
    path(
        "plan/<int:year>/document.docx",
        views_followup.plan_document,
        {"fmt": "docx"},
        name="plan_document_docx",
    ),
    path("plan/<int:year>/changes/", views_followup.plan_changes, name="plan_changes"),
    path("plan/<int:year>/versions/", views_versions.plan_versions, name="plan_versions"),
    path("my/activities/", views_followup.my_activities, name="my_activities"),
    path("followup/<int:year>/", views_followup.dashboard, name="followup_dashboard"),
    path("followup/<int:year>/report/", views_followup.report_page, name="followup_report"),
    path(
        "followup/<int:year>/reports/",
        views_followup.report_requests,
        name="report_requests",
    ),
    path(
        "followup/<int:year>/reports/current/",
        views_followup.report_current,
        name="report_current",
    ),
    path(
        "followup/reports/<int:pk>/",
        views_followup.report_request_detail,
        name="report_request_detail",
    ),
    path(
        "followup/reports/<int:pk>/retry/",
        views_followup.report_request_retry,
        name="report_request_retry",
    ),
    path(
        "followup/reports/<int:pk>/download/",
        views_followup.report_request_download,
        name="report_request_download",
    ),
    path("plan/<int:year>/<slug:slug>/", views.section_detail, name="section_detail"),
]
