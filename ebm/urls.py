from django.urls import path

from . import views

app_name = "ebm"

urlpatterns = [
    path("", views.programme, name="programme"),
]
