from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from unionportal.demo import seed_demo


class Command(BaseCommand):
    help = "Loads the fictional Jiangbin district with demo users of every role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a live district's database).",
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="Apply the migrations first, in the same process (make run).",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Run every step even when the demo is already there (idempotent).",
        )

    def handle(self, *args, force=False, refresh=False, migrate=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a known password; it refuses to run with "
                "DEBUG off. Add --force if this really is a demo server."
            )
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        context = seed_demo(refresh=refresh)
        if context["seeded"]:
            message = f"Demo district ready: {len(context['unions'])} unions."
        else:
            message = (
                f"Demo district already there ({len(context['unions'])} unions); "
                "nothing seeded (--refresh seeds it again)."
            )
        self.stdout.write(self.style.SUCCESS(message))
        password, logins = context["logins"]
        self.stdout.write(f"Demo sign-ins (password: {password}):")
        for username, description in logins:
            self.stdout.write(f"  {username:<12} {description}")
