"""The Redis cache builds one client per connection pool, not one per operation,
and still stores and reads values."""

import os
import uuid

import pytest

from tests.conftest import require_or_skip
from unionportal.redis_cache import PortalRedisCache

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def test_one_client_serves_every_operation_of_a_pool():
    backend = PortalRedisCache(REDIS_URL, {})
    client = backend._cache.get_client("a")
    assert backend._cache.get_client("b") is client
    # One server: reads and writes share its pool, and so its client.
    assert backend._cache.get_client("c", write=True) is client


@pytest.mark.services
def test_values_round_trip_through_the_shared_client():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        require_or_skip("REQUIRE_SERVICES", f"Redis is not reachable at {REDIS_URL}")
    backend = PortalRedisCache(REDIS_URL, {"OPTIONS": {}})
    key = f"test-{uuid.uuid4()}"
    backend.set(key, {"figure": 12}, 30)
    assert backend.get(key) == {"figure": 12}
    backend.delete(key)
    assert backend.get(key) is None
