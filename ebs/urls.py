from django.urls import path

from . import views

app_name = "ebs"

urlpatterns = [
    path("", views.programme, name="programme"),
]
