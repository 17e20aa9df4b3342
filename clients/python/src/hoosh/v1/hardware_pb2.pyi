import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AcceleratorKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCELERATOR_KIND_UNSPECIFIED: _ClassVar[AcceleratorKind]
    ACCELERATOR_KIND_CUDA: _ClassVar[AcceleratorKind]
    ACCELERATOR_KIND_ROCM: _ClassVar[AcceleratorKind]
    ACCELERATOR_KIND_METAL: _ClassVar[AcceleratorKind]
    ACCELERATOR_KIND_VULKAN: _ClassVar[AcceleratorKind]
    ACCELERATOR_KIND_OTHER: _ClassVar[AcceleratorKind]

class Quantization(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUANTIZATION_UNSPECIFIED: _ClassVar[Quantization]
    QUANTIZATION_F32: _ClassVar[Quantization]
    QUANTIZATION_F16: _ClassVar[Quantization]
    QUANTIZATION_BF16: _ClassVar[Quantization]
    QUANTIZATION_Q8_0: _ClassVar[Quantization]
    QUANTIZATION_Q6_K: _ClassVar[Quantization]
    QUANTIZATION_Q5_K_M: _ClassVar[Quantization]
    QUANTIZATION_Q4_K_M: _ClassVar[Quantization]
    QUANTIZATION_Q4_0: _ClassVar[Quantization]
    QUANTIZATION_Q3_K_M: _ClassVar[Quantization]
    QUANTIZATION_Q2_K: _ClassVar[Quantization]

class PlacementKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLACEMENT_KIND_UNSPECIFIED: _ClassVar[PlacementKind]
    PLACEMENT_KIND_FULL_GPU: _ClassVar[PlacementKind]
    PLACEMENT_KIND_GPU_CPU_SPLIT: _ClassVar[PlacementKind]
    PLACEMENT_KIND_CPU_ONLY: _ClassVar[PlacementKind]
    PLACEMENT_KIND_DOES_NOT_FIT: _ClassVar[PlacementKind]
ACCELERATOR_KIND_UNSPECIFIED: AcceleratorKind
ACCELERATOR_KIND_CUDA: AcceleratorKind
ACCELERATOR_KIND_ROCM: AcceleratorKind
ACCELERATOR_KIND_METAL: AcceleratorKind
ACCELERATOR_KIND_VULKAN: AcceleratorKind
ACCELERATOR_KIND_OTHER: AcceleratorKind
QUANTIZATION_UNSPECIFIED: Quantization
QUANTIZATION_F32: Quantization
QUANTIZATION_F16: Quantization
QUANTIZATION_BF16: Quantization
QUANTIZATION_Q8_0: Quantization
QUANTIZATION_Q6_K: Quantization
QUANTIZATION_Q5_K_M: Quantization
QUANTIZATION_Q4_K_M: Quantization
QUANTIZATION_Q4_0: Quantization
QUANTIZATION_Q3_K_M: Quantization
QUANTIZATION_Q2_K: Quantization
PLACEMENT_KIND_UNSPECIFIED: PlacementKind
PLACEMENT_KIND_FULL_GPU: PlacementKind
PLACEMENT_KIND_GPU_CPU_SPLIT: PlacementKind
PLACEMENT_KIND_CPU_ONLY: PlacementKind
PLACEMENT_KIND_DOES_NOT_FIT: PlacementKind

class GetHardwareRequest(_message.Message):
    __slots__ = ("refresh",)
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    refresh: bool
    def __init__(self, refresh: _Optional[bool] = ...) -> None: ...

class GetHardwareResponse(_message.Message):
    __slots__ = ("hardware",)
    HARDWARE_FIELD_NUMBER: _ClassVar[int]
    hardware: Hardware
    def __init__(self, hardware: _Optional[_Union[Hardware, _Mapping]] = ...) -> None: ...

class Hardware(_message.Message):
    __slots__ = ("cpu", "memory", "accelerators", "detection_complete", "detected_at")
    CPU_FIELD_NUMBER: _ClassVar[int]
    MEMORY_FIELD_NUMBER: _ClassVar[int]
    ACCELERATORS_FIELD_NUMBER: _ClassVar[int]
    DETECTION_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    cpu: Cpu
    memory: Memory
    accelerators: _containers.RepeatedCompositeFieldContainer[Accelerator]
    detection_complete: bool
    detected_at: _timestamp_pb2.Timestamp
    def __init__(self, cpu: _Optional[_Union[Cpu, _Mapping]] = ..., memory: _Optional[_Union[Memory, _Mapping]] = ..., accelerators: _Optional[_Iterable[_Union[Accelerator, _Mapping]]] = ..., detection_complete: _Optional[bool] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Cpu(_message.Message):
    __slots__ = ("model", "architecture", "physical_cores", "logical_cores", "flags")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    PHYSICAL_CORES_FIELD_NUMBER: _ClassVar[int]
    LOGICAL_CORES_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    model: str
    architecture: str
    physical_cores: int
    logical_cores: int
    flags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, model: _Optional[str] = ..., architecture: _Optional[str] = ..., physical_cores: _Optional[int] = ..., logical_cores: _Optional[int] = ..., flags: _Optional[_Iterable[str]] = ...) -> None: ...

class Memory(_message.Message):
    __slots__ = ("total_bytes", "free_bytes")
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    total_bytes: int
    free_bytes: int
    def __init__(self, total_bytes: _Optional[int] = ..., free_bytes: _Optional[int] = ...) -> None: ...

class Accelerator(_message.Message):
    __slots__ = ("index", "kind", "vendor", "name", "vram_total_bytes", "vram_free_bytes", "driver")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VRAM_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    VRAM_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    index: int
    kind: AcceleratorKind
    vendor: str
    name: str
    vram_total_bytes: int
    vram_free_bytes: int
    driver: str
    def __init__(self, index: _Optional[int] = ..., kind: _Optional[_Union[AcceleratorKind, str]] = ..., vendor: _Optional[str] = ..., name: _Optional[str] = ..., vram_total_bytes: _Optional[int] = ..., vram_free_bytes: _Optional[int] = ..., driver: _Optional[str] = ...) -> None: ...

class RecommendPlacementRequest(_message.Message):
    __slots__ = ("parameter_count", "quantization", "context_length", "batch_size", "model_path")
    PARAMETER_COUNT_FIELD_NUMBER: _ClassVar[int]
    QUANTIZATION_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MODEL_PATH_FIELD_NUMBER: _ClassVar[int]
    parameter_count: int
    quantization: Quantization
    context_length: int
    batch_size: int
    model_path: str
    def __init__(self, parameter_count: _Optional[int] = ..., quantization: _Optional[_Union[Quantization, str]] = ..., context_length: _Optional[int] = ..., batch_size: _Optional[int] = ..., model_path: _Optional[str] = ...) -> None: ...

class MemoryEstimate(_message.Message):
    __slots__ = ("weights_bytes", "kv_cache_bytes", "overhead_bytes", "total_bytes")
    WEIGHTS_BYTES_FIELD_NUMBER: _ClassVar[int]
    KV_CACHE_BYTES_FIELD_NUMBER: _ClassVar[int]
    OVERHEAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int
    total_bytes: int
    def __init__(self, weights_bytes: _Optional[int] = ..., kv_cache_bytes: _Optional[int] = ..., overhead_bytes: _Optional[int] = ..., total_bytes: _Optional[int] = ...) -> None: ...

class RecommendPlacementResponse(_message.Message):
    __slots__ = ("kind", "quantization", "accelerator_indexes", "gpu_layers", "total_layers", "estimate", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTIZATION_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_INDEXES_FIELD_NUMBER: _ClassVar[int]
    GPU_LAYERS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_LAYERS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: PlacementKind
    quantization: Quantization
    accelerator_indexes: _containers.RepeatedScalarFieldContainer[int]
    gpu_layers: int
    total_layers: int
    estimate: MemoryEstimate
    reason: str
    def __init__(self, kind: _Optional[_Union[PlacementKind, str]] = ..., quantization: _Optional[_Union[Quantization, str]] = ..., accelerator_indexes: _Optional[_Iterable[int]] = ..., gpu_layers: _Optional[int] = ..., total_layers: _Optional[int] = ..., estimate: _Optional[_Union[MemoryEstimate, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...
