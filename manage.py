#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")
    # A checkout with no SECRET_KEY (neither in the environment nor in .env) is a
    # developer's: manage.py then runs in DEBUG. Servers set SECRET_KEY, and gunicorn
    # (wsgi.py) never takes this path, so a server without a key still refuses to start.
    base = os.path.dirname(os.path.abspath(__file__))
    if "SECRET_KEY" not in os.environ and not os.path.exists(
        os.path.join(base, ".env")
    ):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
