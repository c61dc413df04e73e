from django.urls import path

from . import views

app_name = "plan"

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/<int:year>/", views.plan_detail, name="plan_detail"),
    path("plan/<int:year>/activity/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("plan/<int:year>/<slug:slug>/", views.section_detail, name="section_detail"),
]
