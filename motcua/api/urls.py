from django.urls import path, re_path

from .main import api
from .views import not_found

urlpatterns = [
    path("", api.urls),
    # Anything else under /api/v1/ answers in the API's error shape, not Django's HTML page.
    re_path(r"^.*$", not_found),
]
