import cProfile, pstats
from tests.unions.test_import import parse, workbook_bytes, good_rows
from unions import imports
from django.db import connection
from django.test.utils import CaptureQueriesContext

def test_prof(admin_user, subdistrict):
    content = workbook_bytes(good_rows(subdistrict.code, 200))
    pr = cProfile.Profile(); pr.enable()
    preview = parse(content, admin_user)
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(8)
    pr = cProfile.Profile(); pr.enable()
    with CaptureQueriesContext(connection) as q:
        imports.union_import_apply(preview=preview)
    pr.disable(); pstats.Stats(pr).sort_stats("tottime").print_stats(12)
    print("QUERIES", len(q.captured_queries))
