"""Python client for hoosh, the gRPC-first AI inference gateway.

    import hoosh_client
    from hoosh_client import chat_pb2, inference_pb2

    with hoosh_client.connect("127.0.0.1:8088", api_key="...") as client:
        res = client.inference.Generate(inference_pb2.GenerateRequest(
            model="gpt-4o-mini",
            messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text="Hello")])],
        ))

The generated hoosh.v1 modules are re-exported here for convenience; they are
also importable as ``hoosh.v1.<name>_pb2``.
"""

from hoosh.v1 import (
    budget_pb2,
    chat_pb2,
    hardware_pb2,
    inference_pb2,
    models_pb2,
    transcribe_pb2,
)
from hoosh_client.client import DEFAULT_TIMEOUT, Client, connect
from hoosh_client.transcribe import DEFAULT_CHUNK_SIZE, file_requests, transcribe_requests

__all__ = [
    "Client",
    "connect",
    "DEFAULT_TIMEOUT",
    "DEFAULT_CHUNK_SIZE",
    "transcribe_requests",
    "file_requests",
    "budget_pb2",
    "chat_pb2",
    "hardware_pb2",
    "inference_pb2",
    "models_pb2",
    "transcribe_pb2",
]

__version__ = "0.1.0"
