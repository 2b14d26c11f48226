"""Fixtures of the integration tests beyond tests/conftest.py."""
from __future__ import annotations

import pytest

from tests.integration.servers import RedisServer


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own on a free port, which the test may stop and start
    (the shared Redis on 6379 is never touched)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
