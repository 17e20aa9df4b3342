import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from hoosh.v1 import hardware_pb2 as _hardware_pb2
from hoosh.v1 import models_pb2 as _models_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BreakerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BREAKER_STATE_UNSPECIFIED: _ClassVar[BreakerState]
    BREAKER_STATE_CLOSED: _ClassVar[BreakerState]
    BREAKER_STATE_OPEN: _ClassVar[BreakerState]
    BREAKER_STATE_HALF_OPEN: _ClassVar[BreakerState]
BREAKER_STATE_UNSPECIFIED: BreakerState
BREAKER_STATE_CLOSED: BreakerState
BREAKER_STATE_OPEN: BreakerState
BREAKER_STATE_HALF_OPEN: BreakerState

class ReloadConfigRequest(_message.Message):
    __slots__ = ("config_toml",)
    CONFIG_TOML_FIELD_NUMBER: _ClassVar[int]
    config_toml: str
    def __init__(self, config_toml: _Optional[str] = ...) -> None: ...

class ReloadConfigResponse(_message.Message):
    __slots__ = ("source", "providers", "budgets", "keys")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    BUDGETS_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    source: str
    providers: _containers.RepeatedScalarFieldContainer[str]
    budgets: _containers.RepeatedScalarFieldContainer[str]
    keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, source: _Optional[str] = ..., providers: _Optional[_Iterable[str]] = ..., budgets: _Optional[_Iterable[str]] = ..., keys: _Optional[_Iterable[str]] = ...) -> None: ...

class VerifyAuditLogRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyAuditLogResponse(_message.Message):
    __slots__ = ("ok", "entries", "broken_at", "message")
    OK_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    BROKEN_AT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    entries: int
    broken_at: int
    message: str
    def __init__(self, ok: _Optional[bool] = ..., entries: _Optional[int] = ..., broken_at: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class WatchStatsRequest(_message.Message):
    __slots__ = ("interval_ms",)
    INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    interval_ms: int
    def __init__(self, interval_ms: _Optional[int] = ...) -> None: ...

class WatchStatsResponse(_message.Message):
    __slots__ = ("time", "window_seconds", "requests_per_second", "error_rate", "latency_p50_ms", "latency_p99_ms", "requests_today", "errors_today", "input_tokens_today", "output_tokens_today", "cost_usd_micros_today", "streams_in_flight", "providers")
    TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P50_MS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P99_MS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_TODAY_FIELD_NUMBER: _ClassVar[int]
    ERRORS_TODAY_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_TODAY_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_TODAY_FIELD_NUMBER: _ClassVar[int]
    COST_USD_MICROS_TODAY_FIELD_NUMBER: _ClassVar[int]
    STREAMS_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    window_seconds: int
    requests_per_second: float
    error_rate: float
    latency_p50_ms: float
    latency_p99_ms: float
    requests_today: int
    errors_today: int
    input_tokens_today: int
    output_tokens_today: int
    cost_usd_micros_today: int
    streams_in_flight: int
    providers: _containers.RepeatedCompositeFieldContainer[ProviderStatus]
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_seconds: _Optional[int] = ..., requests_per_second: _Optional[float] = ..., error_rate: _Optional[float] = ..., latency_p50_ms: _Optional[float] = ..., latency_p99_ms: _Optional[float] = ..., requests_today: _Optional[int] = ..., errors_today: _Optional[int] = ..., input_tokens_today: _Optional[int] = ..., output_tokens_today: _Optional[int] = ..., cost_usd_micros_today: _Optional[int] = ..., streams_in_flight: _Optional[int] = ..., providers: _Optional[_Iterable[_Union[ProviderStatus, _Mapping]]] = ...) -> None: ...

class ProviderStatus(_message.Message):
    __slots__ = ("name", "type", "health", "reason", "breaker", "breaker_retry_at", "recent_errors", "local_placement")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    BREAKER_FIELD_NUMBER: _ClassVar[int]
    BREAKER_RETRY_AT_FIELD_NUMBER: _ClassVar[int]
    RECENT_ERRORS_FIELD_NUMBER: _ClassVar[int]
    LOCAL_PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    health: _models_pb2.HealthState
    reason: str
    breaker: BreakerState
    breaker_retry_at: _timestamp_pb2.Timestamp
    recent_errors: _containers.RepeatedCompositeFieldContainer[ProviderError]
    local_placement: LocalPlacement
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., health: _Optional[_Union[_models_pb2.HealthState, str]] = ..., reason: _Optional[str] = ..., breaker: _Optional[_Union[BreakerState, str]] = ..., breaker_retry_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recent_errors: _Optional[_Iterable[_Union[ProviderError, _Mapping]]] = ..., local_placement: _Optional[_Union[LocalPlacement, _Mapping]] = ...) -> None: ...

class ProviderError(_message.Message):
    __slots__ = ("time", "code", "message", "model")
    TIME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    time: _timestamp_pb2.Timestamp
    code: str
    message: str
    model: str
    def __init__(self, time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class LocalPlacement(_message.Message):
    __slots__ = ("model_path", "placement")
    MODEL_PATH_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    model_path: str
    placement: _hardware_pb2.RecommendPlacementResponse
    def __init__(self, model_path: _Optional[str] = ..., placement: _Optional[_Union[_hardware_pb2.RecommendPlacementResponse, _Mapping]] = ...) -> None: ...
