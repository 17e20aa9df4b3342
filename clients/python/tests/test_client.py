"""The Python client against a live hoosh (HOOSH_ADDR) whose provider "fake"
is the fake OpenAI upstream (test/fakes/openai), with budget pools "tiny"
(capacity 10 tokens) and "default" (1,000,000)."""

from __future__ import annotations

import io
import math
import struct
import time
import wave
from pathlib import Path

import grpc
import pytest

import hoosh_client
from hoosh_client import budget_pb2, chat_pb2, hardware_pb2, inference_pb2, models_pb2, transcribe_pb2


def user(text: str) -> chat_pb2.Message:
    return chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text=text)])


def text_of(message: chat_pb2.Message) -> str:
    return "".join(part.text for part in message.content if part.WhichOneof("part") == "text")


def tone_wav(seconds: float = 1.0, rate: int = 16000, hz: float = 440.0) -> bytes:
    """A mono PCM16 WAV file with a sine tone."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate))) for i in range(int(seconds * rate))
    )
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def test_generate(client: hoosh_client.Client) -> None:
    res = client.inference.Generate(
        inference_pb2.GenerateRequest(model="gpt-4o-mini", messages=[user("Hello from Python")]),
        timeout=10,
    )
    assert text_of(res.message) == "echo: Hello from Python"
    assert res.message.role == chat_pb2.ROLE_ASSISTANT
    assert res.finish_reason == chat_pb2.FINISH_REASON_STOP
    assert res.usage.provider == "fake"
    assert res.usage.output_tokens > 0


def test_generate_stream_arrives_incrementally_and_cancels(client: hoosh_client.Client) -> None:
    # "fake-long-stream" sends 1200 deltas 50 ms apart (~60 s): the first ones
    # must arrive long before the end, one by one, and cancel must stop it.
    started = time.monotonic()
    call = client.inference.GenerateStream(
        inference_pb2.GenerateStreamRequest(model="fake-long-stream", messages=[user("count")]),
        timeout=30,
    )
    kinds: list[str] = []
    deltas: list[tuple[float, str]] = []
    for event in call:
        kind = event.WhichOneof("event")
        assert kind is not None
        kinds.append(kind)
        assert kind != "end", "the 60 s stream ended early"
        if kind == "text":
            deltas.append((time.monotonic() - started, event.text.text))
            if len(deltas) == 5:
                break
    call.cancel()

    assert kinds[0] == "start"
    assert "".join(text for _, text in deltas) == "tick0 tick1 tick2 tick3 tick4"
    first, last = deltas[0][0], deltas[-1][0]
    assert last < 10, f"5 deltas took {last:.2f} s: the stream is buffered, not streamed"
    assert last - first >= 0.1, f"deltas arrived {last - first:.3f} s apart: all at once, not one by one"
    times = [t for t, _ in deltas]
    assert times == sorted(times)

    with pytest.raises(grpc.RpcError) as err:
        next(call)
    assert err.value.code() == grpc.StatusCode.CANCELLED
    assert call.code() == grpc.StatusCode.CANCELLED


def test_transcribe_streams_a_wav_file_in_chunks(client: hoosh_client.Client, tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    path.write_bytes(tone_wav())
    config = transcribe_pb2.TranscribeConfig(
        model="whisper-1", encoding=transcribe_pb2.AUDIO_ENCODING_WAV, language="en"
    )
    requests = list(hoosh_client.file_requests(config, path, chunk_size=4096))
    assert requests[0].WhichOneof("payload") == "config"
    assert len(requests) > 3  # 32 KB of audio in 4 KiB chunks

    res = client.transcribe.Transcribe(iter(requests), timeout=20)
    assert res.text.strip() != ""
    assert res.usage.provider == "fake"


def test_budget_list_pools(client: hoosh_client.Client) -> None:
    res = client.budget.ListPools(budget_pb2.ListPoolsRequest(), timeout=10)
    pools = {p.name: p for p in res.pools}
    assert {"tiny", "default"} <= set(pools)
    assert pools["tiny"].HasField("capacity_tokens")
    assert pools["tiny"].capacity_tokens == 10
    assert pools["default"].capacity_tokens == 1_000_000


def test_budget_reserve_over_capacity_is_resource_exhausted(client: hoosh_client.Client) -> None:
    with pytest.raises(grpc.RpcError) as err:
        client.budget.Reserve(budget_pb2.ReserveRequest(pool="tiny", tokens=1000), timeout=10)
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "tiny" in (err.value.details() or "")


def test_budget_reserve_then_commit_counts_the_usage(client: hoosh_client.Client) -> None:
    reserved = client.budget.Reserve(budget_pb2.ReserveRequest(pool="default", tokens=500, ttl_seconds=60), timeout=10)
    assert reserved.reservation_id != ""
    assert reserved.pool.reserved_tokens >= 500
    committed = client.budget.Commit(
        budget_pb2.CommitRequest(
            reservation_id=reserved.reservation_id, usage=chat_pb2.Usage(input_tokens=120, output_tokens=300)
        ),
        timeout=10,
    )
    assert committed.pool.name == "default"
    assert committed.pool.used_tokens >= 420
    assert committed.pool.reserved_tokens <= reserved.pool.reserved_tokens - 500


def test_hardware(client: hoosh_client.Client) -> None:
    res = client.hardware.GetHardware(hardware_pb2.GetHardwareRequest(), timeout=10)
    assert res.hardware.cpu.logical_cores > 0
    assert res.hardware.memory.total_bytes > 0


def test_list_models(client: hoosh_client.Client) -> None:
    res = client.models.ListModels(models_pb2.ListModelsRequest(), timeout=10)
    by_id = {m.id: m for m in res.models}
    assert "gpt-4o-mini" in by_id, sorted(by_id)
    assert by_id["gpt-4o-mini"].provider == "fake"


def test_empty_model_is_invalid_argument(client: hoosh_client.Client) -> None:
    with pytest.raises(grpc.RpcError) as err:
        client.inference.Generate(inference_pb2.GenerateRequest(model="", messages=[user("hi")]), timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "model" in (err.value.details() or "")


def test_default_deadline_applies(hoosh_addr: str) -> None:
    # No timeout= on the call: the client's default deadline must end it.
    with hoosh_client.connect(hoosh_addr, default_timeout=0.5) as short:
        call = short.inference.GenerateStream(
            inference_pb2.GenerateStreamRequest(model="fake-long-stream", messages=[user("count")])
        )
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as err:
            for _ in call:
                pass
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 5
