from django.apps import AppConfig


class UnionPortalConfig(AppConfig):
    name = "unionportal"
    verbose_name = "Union Work Portal"
