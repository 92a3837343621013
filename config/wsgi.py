import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Django and every app are loaded: out of the collector's passes (docs/adr/0034).
from motcua.core.runtime import process_started  # noqa: E402

process_started()
