"""The stack's floor: a minimal Django project (stock middleware, database
sessions, one small template, nothing of the portal) that ``make bench`` serves with
the portal's gunicorn settings beside the portal, so each page's throughput can be
printed as a share of what Django itself serves on this machine.
See docs/performance.md."""
