from hoosh.v1 import chat_pb2 as _chat_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudioEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_ENCODING_UNSPECIFIED: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_PCM16_LE: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_WAV: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_MP3: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_OGG_OPUS: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_FLAC: _ClassVar[AudioEncoding]
    AUDIO_ENCODING_WEBM_OPUS: _ClassVar[AudioEncoding]
AUDIO_ENCODING_UNSPECIFIED: AudioEncoding
AUDIO_ENCODING_PCM16_LE: AudioEncoding
AUDIO_ENCODING_WAV: AudioEncoding
AUDIO_ENCODING_MP3: AudioEncoding
AUDIO_ENCODING_OGG_OPUS: AudioEncoding
AUDIO_ENCODING_FLAC: AudioEncoding
AUDIO_ENCODING_WEBM_OPUS: AudioEncoding

class TranscribeRequest(_message.Message):
    __slots__ = ("config", "audio")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    config: TranscribeConfig
    audio: bytes
    def __init__(self, config: _Optional[_Union[TranscribeConfig, _Mapping]] = ..., audio: _Optional[bytes] = ...) -> None: ...

class TranscribeConfig(_message.Message):
    __slots__ = ("model", "language", "encoding", "sample_rate_hz", "channels", "prompt", "word_timestamps", "routing", "budget_pool")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    WORD_TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_FIELD_NUMBER: _ClassVar[int]
    BUDGET_POOL_FIELD_NUMBER: _ClassVar[int]
    model: str
    language: str
    encoding: AudioEncoding
    sample_rate_hz: int
    channels: int
    prompt: str
    word_timestamps: bool
    routing: _chat_pb2.RoutingHints
    budget_pool: str
    def __init__(self, model: _Optional[str] = ..., language: _Optional[str] = ..., encoding: _Optional[_Union[AudioEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ..., channels: _Optional[int] = ..., prompt: _Optional[str] = ..., word_timestamps: _Optional[bool] = ..., routing: _Optional[_Union[_chat_pb2.RoutingHints, _Mapping]] = ..., budget_pool: _Optional[str] = ...) -> None: ...

class TranscribeResponse(_message.Message):
    __slots__ = ("text", "language", "segments", "duration_seconds", "model", "usage")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    language: str
    segments: _containers.RepeatedCompositeFieldContainer[TranscriptSegment]
    duration_seconds: float
    model: str
    usage: _chat_pb2.Usage
    def __init__(self, text: _Optional[str] = ..., language: _Optional[str] = ..., segments: _Optional[_Iterable[_Union[TranscriptSegment, _Mapping]]] = ..., duration_seconds: _Optional[float] = ..., model: _Optional[str] = ..., usage: _Optional[_Union[_chat_pb2.Usage, _Mapping]] = ...) -> None: ...

class TranscribeStreamRequest(_message.Message):
    __slots__ = ("config", "audio")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    config: TranscribeConfig
    audio: bytes
    def __init__(self, config: _Optional[_Union[TranscribeConfig, _Mapping]] = ..., audio: _Optional[bytes] = ...) -> None: ...

class TranscribeFileRequest(_message.Message):
    __slots__ = ("config", "audio")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    config: TranscribeConfig
    audio: bytes
    def __init__(self, config: _Optional[_Union[TranscribeConfig, _Mapping]] = ..., audio: _Optional[bytes] = ...) -> None: ...

class TranscribeFileResponse(_message.Message):
    __slots__ = ("partial", "final")
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    partial: TranscriptPartial
    final: TranscribeResponse
    def __init__(self, partial: _Optional[_Union[TranscriptPartial, _Mapping]] = ..., final: _Optional[_Union[TranscribeResponse, _Mapping]] = ...) -> None: ...

class TranscribeStreamResponse(_message.Message):
    __slots__ = ("partial", "final")
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    partial: TranscriptPartial
    final: TranscribeResponse
    def __init__(self, partial: _Optional[_Union[TranscriptPartial, _Mapping]] = ..., final: _Optional[_Union[TranscribeResponse, _Mapping]] = ...) -> None: ...

class TranscriptPartial(_message.Message):
    __slots__ = ("text", "end_seconds")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    END_SECONDS_FIELD_NUMBER: _ClassVar[int]
    text: str
    end_seconds: float
    def __init__(self, text: _Optional[str] = ..., end_seconds: _Optional[float] = ...) -> None: ...

class TranscriptSegment(_message.Message):
    __slots__ = ("start_seconds", "end_seconds", "text", "words")
    START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    END_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    WORDS_FIELD_NUMBER: _ClassVar[int]
    start_seconds: float
    end_seconds: float
    text: str
    words: _containers.RepeatedCompositeFieldContainer[TranscriptWord]
    def __init__(self, start_seconds: _Optional[float] = ..., end_seconds: _Optional[float] = ..., text: _Optional[str] = ..., words: _Optional[_Iterable[_Union[TranscriptWord, _Mapping]]] = ...) -> None: ...

class TranscriptWord(_message.Message):
    __slots__ = ("start_seconds", "end_seconds", "word")
    START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    END_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WORD_FIELD_NUMBER: _ClassVar[int]
    start_seconds: float
    end_seconds: float
    word: str
    def __init__(self, start_seconds: _Optional[float] = ..., end_seconds: _Optional[float] = ..., word: _Optional[str] = ...) -> None: ...
