"""connect()'s interceptor against an in-process Python gRPC server (no hoosh
needed): bearer metadata and the default deadline on unary, server-streaming
and client-streaming calls; the caller's own values win."""

from __future__ import annotations

from concurrent import futures
from typing import Iterator, Optional

import grpc
import pytest

import hoosh_client
from hoosh.v1 import (
    inference_pb2,
    inference_pb2_grpc,
    models_pb2,
    models_pb2_grpc,
    transcribe_pb2,
    transcribe_pb2_grpc,
)


class Seen:
    def __init__(self) -> None:
        self.authorization: list[Optional[str]] = []
        self.time_remaining: list[Optional[float]] = []

    def record(self, context: grpc.ServicerContext) -> None:
        md = dict(context.invocation_metadata())
        auth = md.get("authorization")
        self.authorization.append(auth if isinstance(auth, str) or auth is None else auth.decode())
        self.time_remaining.append(context.time_remaining())


class Models(models_pb2_grpc.ModelsServiceServicer):
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def ListModels(self, request: models_pb2.ListModelsRequest, context: grpc.ServicerContext) -> models_pb2.ListModelsResponse:
        self.seen.record(context)
        return models_pb2.ListModelsResponse(models=[models_pb2.Model(id="m")])


class Inference(inference_pb2_grpc.InferenceServiceServicer):
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def GenerateStream(
        self, request: inference_pb2.GenerateStreamRequest, context: grpc.ServicerContext
    ) -> Iterator[inference_pb2.GenerateStreamResponse]:
        self.seen.record(context)
        yield inference_pb2.GenerateStreamResponse(text=inference_pb2.TextDelta(text="hi"))


class Transcribe(transcribe_pb2_grpc.TranscribeServiceServicer):
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def Transcribe(
        self, request_iterator: Iterator[transcribe_pb2.TranscribeRequest], context: grpc.ServicerContext
    ) -> transcribe_pb2.TranscribeResponse:
        self.seen.record(context)
        size = sum(len(r.audio) for r in request_iterator)
        return transcribe_pb2.TranscribeResponse(text=f"{size} bytes")


@pytest.fixture()
def server() -> Iterator[tuple[str, Seen]]:
    seen = Seen()
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    models_pb2_grpc.add_ModelsServiceServicer_to_server(Models(seen), srv)  # type: ignore[abstract]
    inference_pb2_grpc.add_InferenceServiceServicer_to_server(Inference(seen), srv)  # type: ignore[abstract]
    transcribe_pb2_grpc.add_TranscribeServiceServicer_to_server(Transcribe(seen), srv)  # type: ignore[abstract]
    port = srv.add_insecure_port("127.0.0.1:0")
    srv.start()
    yield f"127.0.0.1:{port}", seen
    srv.stop(grace=None)


def call_all_kinds(client: hoosh_client.Client, timeout: Optional[float] = None) -> None:
    assert client.models.ListModels(models_pb2.ListModelsRequest(), timeout=timeout).models[0].id == "m"
    events = list(client.inference.GenerateStream(inference_pb2.GenerateStreamRequest(model="m"), timeout=timeout))
    assert events[0].text.text == "hi"
    config = transcribe_pb2.TranscribeConfig(model="m")
    res = client.transcribe.Transcribe(hoosh_client.transcribe_requests(config, b"x" * 10, chunk_size=3), timeout=timeout)
    assert res.text == "10 bytes"


def test_bearer_and_default_deadline_on_every_call_kind(server: tuple[str, Seen]) -> None:
    addr, seen = server
    with hoosh_client.connect(addr, api_key="sk-test", default_timeout=7.0) as client:
        call_all_kinds(client)
    assert seen.authorization == ["Bearer sk-test"] * 3
    for remaining in seen.time_remaining:
        assert remaining is not None and 5.0 < remaining <= 7.5  # grpc-timeout rounding


def test_caller_timeout_and_authorization_win(server: tuple[str, Seen]) -> None:
    addr, seen = server
    with hoosh_client.connect(addr, api_key="sk-test", default_timeout=7.0) as client:
        call_all_kinds(client, timeout=2.0)
        client.models.ListModels(models_pb2.ListModelsRequest(), metadata=(("authorization", "Bearer other"),))
    for remaining in seen.time_remaining[:3]:
        assert remaining is not None and remaining <= 2.5
    assert seen.authorization[-1] == "Bearer other"


def test_no_api_key_no_default_deadline(server: tuple[str, Seen]) -> None:
    addr, seen = server
    with hoosh_client.connect(f"http://{addr}", default_timeout=None) as client:
        call_all_kinds(client)
    assert seen.authorization == [None] * 3
    assert all(r is None or r > 3600 for r in seen.time_remaining)


@pytest.mark.parametrize("key", ["", " sk", "sk\n", "clé"])
def test_bad_api_key_is_rejected_without_echoing_it(key: str) -> None:
    with pytest.raises(ValueError) as err:
        hoosh_client.connect("127.0.0.1:1", api_key=key)
    assert key.strip() == "" or key.strip() not in str(err.value)


def test_transcribe_requests_chunks_bytes_files_and_iterables(tmp_path: "object") -> None:
    import io

    config = transcribe_pb2.TranscribeConfig(model="m")
    for audio in (b"abcdefg", io.BytesIO(b"abcdefg"), iter([b"abc", b"", b"defg"])):
        msgs = list(hoosh_client.transcribe_requests(config, audio, chunk_size=3))
        assert msgs[0].config.model == "m"
        assert b"".join(m.audio for m in msgs[1:]) == b"abcdefg"
        assert all(m.WhichOneof("payload") == "audio" and m.audio for m in msgs[1:])
