"""The shared store on the real Redis: what one process writes another reads, each value with its
version; an unreachable Redis never fails a page (reads miss, writes are dropped)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from observatory.analysis.shared import TTL_SECONDS, RedisStore

pytestmark = pytest.mark.services
REDIS_URL = "redis://127.0.0.1:6379/9"


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    found = redis.Redis.from_url(REDIS_URL)
    found.flushdb()
    try:
        yield found
    finally:
        found.flushdb()
        found.close()


def test_values_and_their_versions_round_trip_between_processes(client: redis.Redis) -> None:
    writer, reader = RedisStore(redis.Redis.from_url(REDIS_URL)), RedisStore(client)
    assert reader.get("a") is None and reader.versions(["a", "b"]) == [None, None]
    writer.put({"a": ("v1", b'{"X":{"bien":12}}'), "b": ("v2", b"{}")})
    assert reader.get("a") == ("v1", b'{"X":{"bien":12}}')
    assert reader.versions(["a", "b", "c"]) == ["v1", "v2", None]
    writer.put({"a": ("v3", b'{"X":{"bien":13}}')})
    assert reader.get("a") == ("v3", b'{"X":{"bien":13}}')
    for key in client.keys("observatory:shared:*"):
        assert 0 < client.ttl(key) <= TTL_SECONDS  # values nobody rewrites go away


def test_an_unreachable_redis_misses_and_drops_without_raising() -> None:
    dead = RedisStore(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    dead.put({"a": ("v1", b"{}")})
    assert dead.get("a") is None
    assert dead.versions(["a", "b"]) == [None, None]
