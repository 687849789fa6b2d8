from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnionsConfig(AppConfig):
    name = "unions"
    verbose_name = _("Unions and office terms")

    def ready(self):
        from unionportal.home import register_home_tasks

        from .home import home_tasks

        register_home_tasks(home_tasks)

        from .services import register_notice_kinds

        register_notice_kinds()

        from unionportal.demo import register_demo

        from . import demo

        register_demo(10, demo.seed_tree, present=demo.tree_present)
        register_demo(30, demo.seed, present=demo.terms_present)

        from unionportal.xlsx import register_reference

        from .imports import union_codes_sheet

        register_reference("unions", union_codes_sheet)
