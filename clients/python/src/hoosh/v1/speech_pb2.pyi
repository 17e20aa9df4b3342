from google.api import annotations_pb2 as _annotations_pb2
from hoosh.v1 import chat_pb2 as _chat_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SpeechFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPEECH_FORMAT_UNSPECIFIED: _ClassVar[SpeechFormat]
    SPEECH_FORMAT_WAV: _ClassVar[SpeechFormat]
    SPEECH_FORMAT_PCM16: _ClassVar[SpeechFormat]
    SPEECH_FORMAT_MP3: _ClassVar[SpeechFormat]
    SPEECH_FORMAT_OPUS: _ClassVar[SpeechFormat]
    SPEECH_FORMAT_AAC: _ClassVar[SpeechFormat]
    SPEECH_FORMAT_FLAC: _ClassVar[SpeechFormat]
SPEECH_FORMAT_UNSPECIFIED: SpeechFormat
SPEECH_FORMAT_WAV: SpeechFormat
SPEECH_FORMAT_PCM16: SpeechFormat
SPEECH_FORMAT_MP3: SpeechFormat
SPEECH_FORMAT_OPUS: SpeechFormat
SPEECH_FORMAT_AAC: SpeechFormat
SPEECH_FORMAT_FLAC: SpeechFormat

class SynthesizeRequest(_message.Message):
    __slots__ = ("model", "input", "voice", "format", "speed", "instructions", "routing", "budget_pool")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_FIELD_NUMBER: _ClassVar[int]
    BUDGET_POOL_FIELD_NUMBER: _ClassVar[int]
    model: str
    input: str
    voice: str
    format: SpeechFormat
    speed: float
    instructions: str
    routing: _chat_pb2.RoutingHints
    budget_pool: str
    def __init__(self, model: _Optional[str] = ..., input: _Optional[str] = ..., voice: _Optional[str] = ..., format: _Optional[_Union[SpeechFormat, str]] = ..., speed: _Optional[float] = ..., instructions: _Optional[str] = ..., routing: _Optional[_Union[_chat_pb2.RoutingHints, _Mapping]] = ..., budget_pool: _Optional[str] = ...) -> None: ...

class SynthesizeResponse(_message.Message):
    __slots__ = ("start", "audio", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: SpeechStart
    audio: bytes
    end: SpeechEnd
    def __init__(self, start: _Optional[_Union[SpeechStart, _Mapping]] = ..., audio: _Optional[bytes] = ..., end: _Optional[_Union[SpeechEnd, _Mapping]] = ...) -> None: ...

class SpeechStart(_message.Message):
    __slots__ = ("model", "voice", "format", "content_type", "sample_rate_hz", "provider")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    model: str
    voice: str
    format: SpeechFormat
    content_type: str
    sample_rate_hz: int
    provider: str
    def __init__(self, model: _Optional[str] = ..., voice: _Optional[str] = ..., format: _Optional[_Union[SpeechFormat, str]] = ..., content_type: _Optional[str] = ..., sample_rate_hz: _Optional[int] = ..., provider: _Optional[str] = ...) -> None: ...

class SpeechEnd(_message.Message):
    __slots__ = ("duration_seconds", "usage")
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    duration_seconds: float
    usage: _chat_pb2.Usage
    def __init__(self, duration_seconds: _Optional[float] = ..., usage: _Optional[_Union[_chat_pb2.Usage, _Mapping]] = ...) -> None: ...
