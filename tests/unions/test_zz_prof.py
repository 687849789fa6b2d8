import cProfile, pstats, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.unions.test_demo import _seed

def test_prof(db):
    t=time.perf_counter()
    pr = cProfile.Profile(); pr.enable()
    with CaptureQueriesContext(connection) as q:
        _seed()
    pr.disable()
    print("TIME", time.perf_counter()-t, "QUERIES", len(q.captured_queries))
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
