from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "motcua.organisation"
    verbose_name = "Tổ chức, đơn vị"
