from django.urls import path

from . import views

app_name = "about"

urlpatterns = [
    path("accessibility/", views.accessibility, name="accessibility"),
    path("personal-data/", views.personal_data, name="personal_data"),
    path("cookies/", views.cookies, name="cookies"),
    path("contact/", views.contact, name="contact"),
]
