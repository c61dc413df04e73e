from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("feed.ics", views.public_feed, name="feed"),
    path("body/<slug:slug>/feed.ics", views.body_feed, name="body_feed"),
    path("my/calendar/", views.my_calendar, name="my_calendar"),
    path("my/<str:token>/feed.ics", views.personal_feed, name="personal_feed"),
    path("<slug:slug>/", views.event_detail, name="event_detail"),
    path("<slug:slug>/register/", views.event_register, name="event_register"),
    path("<slug:slug>/event.ics", views.event_ics, name="event_ics"),
]
