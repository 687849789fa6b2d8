from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Key work planning")

    def ready(self):
        from unionportal.home import register_home_tasks

        from .home import home_tasks

        register_home_tasks(home_tasks)

        from .services.notify import register_kinds

        register_kinds()

        from unionportal.demo import register_demo

        from . import demo

        register_demo(40, demo.seed, present=demo.present)
