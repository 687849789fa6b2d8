from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from unionportal.demo import register_demo

        from . import demo, signals  # noqa: F401

        register_demo(20, demo.seed, present=demo.present)
