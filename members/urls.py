from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("partners/", views.partners, name="partners"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<slug:slug>/", views.body_detail, name="body_detail"),
]
