import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from bench.scales import SCALES
from bench.seed import SeedRefused, seed


class Command(BaseCommand):
    help = (
        "Seeds a benchmark city or district on PostgreSQL with COPY (deterministic). "
        "Reuses a complete seed of the same scale; refuses a database holding "
        "anything else. See docs/performance.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty a previous bench seed first (only on a bench database).",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the data is seeded around (YYYY-MM-DD; default: today).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print the counts and timings as JSON.",
        )

    def handle(self, *args, scale, reset, today, as_json=False, **options):
        chosen = SCALES[scale]
        self.stdout.write(
            f"Seeding the {scale} bench: {chosen.describe()}", ending="\n"
        )
        try:
            result = seed(chosen, today=today, reset=reset, log=self.stdout.write)
        except SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(_dumps(result))
        elif result["reused"]:
            self.stdout.write(self.style.SUCCESS("Bench data already in place."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded the {scale} bench in {result['seconds']} s: "
                    + ", ".join(f"{k} {v:,}" for k, v in result["counts"].items())
                )
            )


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
