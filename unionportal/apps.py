from django.apps import AppConfig


class UnionPortalConfig(AppConfig):
    name = "unionportal"
    verbose_name = "Union Work Portal"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
