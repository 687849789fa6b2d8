from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from unionportal.demo import seed_demo


class Command(BaseCommand):
    help = "Loads the fictional Jiangbin district with demo users of every role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a live district's database).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a known password; it refuses to run with "
                "DEBUG off. Add --force if this really is a demo server."
            )
        context = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo district ready: {len(context['unions'])} unions.")
        )
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for username, (_code, _first, _last, _roles, description) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<12} {description}")
