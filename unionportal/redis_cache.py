"""Django's Redis cache, with one client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every
cache operation, and each one copies redis-py's table of some 170 response
callbacks: about 50 µs, then the operation itself. A page reads the cache three
to six times (the session, the bell's count, its kept parts), so that was a few
tenths of a millisecond of every request. A ``redis.Redis`` is safe to share
between threads (each command takes a connection from the pool), and Django
keeps one cache backend per thread anyway, so the client is built once per pool.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
