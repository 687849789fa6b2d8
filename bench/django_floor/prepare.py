"""``python -m bench.django_floor.prepare --sessions 8``: migrates the floor's
database, signs in one user per connection and counts the page's queries (second
request, as for the portal's pages). Prints ``BENCH_JSON {...}`` for bench/run.py."""

import argparse
import json
import os
import sys

PATH = "/floor/"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.django_floor.prepare")
    parser.add_argument("--sessions", type=int, default=8)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.django_floor.settings"
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", "--no-input", verbosity=0)
    user_model = get_user_model()
    cookies = []
    for number in range(1, args.sessions + 1):
        user, _created = user_model.objects.get_or_create(username=f"floor{number}")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    client = Client()
    client.cookies["sessionid"] = cookies[0].split("=", 1)[1]
    client.get(PATH)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PATH)
    payload = {
        "path": PATH,
        "status": response.status_code,
        "queries": len(queries),
        "bytes": len(response.content),
        "cookies": cookies,
    }
    sys.stdout.write("BENCH_JSON " + json.dumps(payload) + "\n")


if __name__ == "__main__":
    main()
