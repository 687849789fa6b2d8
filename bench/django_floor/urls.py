from django.urls import path

from .views import page

urlpatterns = [path("floor/", page, name="floor")]
