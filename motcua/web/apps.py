from django.apps import AppConfig


class WebConfig(AppConfig):
    """The shared web interface: the page layout and components (GOV.UK Design System
    patterns), one stylesheet, the progressive-enhancement script and the sign-in pages used
    by the citizen portal and the staff workspace alike."""

    name = "motcua.web"
    label = "web"
    verbose_name = "Giao diện web"
