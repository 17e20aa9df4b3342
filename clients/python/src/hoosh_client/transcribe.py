"""Request streams for TranscribeService.Transcribe (client streaming).

The contract: the first message carries a TranscribeConfig, every later one a
chunk of audio bytes. ``transcribe_requests`` builds that stream from bytes, an
open binary file or any iterable of byte chunks, reading lazily, so a large
file is never held in memory here.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Iterable, Iterator, Union

from hoosh.v1 import transcribe_pb2

__all__ = ["transcribe_requests", "file_requests", "DEFAULT_CHUNK_SIZE"]

DEFAULT_CHUNK_SIZE = 32 * 1024
"""Bytes per audio message: well under gRPC's 4 MiB message limit, small enough to stream smoothly."""

Audio = Union[bytes, bytearray, memoryview, BinaryIO, Iterable[bytes]]


def _chunks(audio: Audio, chunk_size: int) -> Iterator[bytes]:
    if isinstance(audio, (bytes, bytearray, memoryview)):
        view = memoryview(audio)
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
    elif hasattr(audio, "read"):
        reader: BinaryIO = audio  # type: ignore[assignment]
        while chunk := reader.read(chunk_size):
            yield chunk
    else:
        for piece in audio:
            if piece:
                yield bytes(piece)


def transcribe_requests(
    config: transcribe_pb2.TranscribeConfig,
    audio: Audio,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[transcribe_pb2.TranscribeRequest]:
    """Yields the config message, then the audio in chunks of at most ``chunk_size`` bytes.

    ``audio`` may be bytes, a binary file opened for reading, or an iterable of
    byte chunks (e.g. from a microphone), which are sent as they come.
    """
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be > 0, got {chunk_size}")
    yield transcribe_pb2.TranscribeRequest(config=config)
    for chunk in _chunks(audio, chunk_size):
        yield transcribe_pb2.TranscribeRequest(audio=chunk)


def file_requests(
    config: transcribe_pb2.TranscribeConfig,
    path: Union[str, "os.PathLike[str]"],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[transcribe_pb2.TranscribeRequest]:
    """Like transcribe_requests, reading the file at ``path``; the file is closed when the stream ends."""
    with open(path, "rb") as f:
        yield from transcribe_requests(config, f, chunk_size)
