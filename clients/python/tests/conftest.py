"""Fixtures for the tests against a live hoosh.

HOOSH_ADDR ("host:port") names the hoosh to test; test/clients/python.test.ts
starts one (with a fake OpenAI upstream) and sets it. Without it the live tests
fail; they never skip, so a misconfigured run cannot pass by testing nothing.
"""

from __future__ import annotations

import os
from typing import Iterator

import grpc
import pytest

import hoosh_client

HOW_TO_RUN = (
    "HOOSH_ADDR is not set: these tests need a live hoosh. Run them through "
    "`npx vitest run test/clients/python.test.ts` (it starts hoosh and a fake upstream), "
    "or start hoosh yourself and set HOOSH_ADDR=127.0.0.1:PORT"
)


@pytest.fixture(scope="session")
def hoosh_addr() -> str:
    addr = os.environ.get("HOOSH_ADDR", "").strip()
    if not addr:
        pytest.fail(HOW_TO_RUN, pytrace=False)
    return addr


@pytest.fixture(scope="session")
def client(hoosh_addr: str) -> Iterator[hoosh_client.Client]:
    c = hoosh_client.connect(hoosh_addr, default_timeout=20.0)
    try:
        c.wait_ready(timeout=10.0)
    except grpc.FutureTimeoutError:
        c.close()
        pytest.fail(f"no gRPC server answers at HOOSH_ADDR={hoosh_addr} within 10 s", pytrace=False)
    yield c
    c.close()
