from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Performance assessment")

    def ready(self):
        from unionportal.home import register_home_tasks

        from .home import home_tasks

        register_home_tasks(home_tasks)

        from accounts.audit import register_audit_kinds

        from .audit import PeriodAudit

        register_audit_kinds(PeriodAudit)

        from .services.periods import register_notice_kinds

        register_notice_kinds()

        from unionportal.demo import register_demo

        from . import demo

        register_demo(50, demo.seed, present=demo.present)
