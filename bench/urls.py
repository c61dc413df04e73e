"""The site's URLs plus the baseline view, for the bench run only (the command sets
ROOT_URLCONF to this module while it measures)."""

from django.urls import path

from malardal.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [path("bench/minimal/", views.minimal, name="bench_minimal"), *site_urlpatterns]
