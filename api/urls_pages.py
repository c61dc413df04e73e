"""The open-data page, under the language prefix like every page of the site."""

from django.urls import path

from . import views_pages

app_name = "open_data"

urlpatterns = [
    path("", views_pages.open_data, name="page"),
]
