// Text to speech: SpeechService.Synthesize streams the audio in chunks; they are put together into
// one Blob and played in an <audio> element (the CSP allows media from blob: for this). Voice,
// format and speed are the request's own fields; a wrong one comes back as the server's error.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Model } from "../../../../gen/ts/hoosh/v1/models_pb.js";
import { SpeechFormat } from "../../../../gen/ts/hoosh/v1/speech_pb.js";
import type { PageProps } from "../app.js";
import { ErrorNote } from "../error-note.js";
import { plainError } from "../errors.js";
import { fixStreamedWavSizes } from "../wav.js";

/** OpenAI's voice names (local engines map them onto their own); empty is the provider's default. */
const VOICES = ["alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer"];
/** Formats a browser can play as a file (raw PCM16 has no header to play from). */
const FORMATS: { value: SpeechFormat; label: string }[] = [
  { value: SpeechFormat.UNSPECIFIED, label: "provider default (MP3)" },
  { value: SpeechFormat.MP3, label: "MP3" },
  { value: SpeechFormat.WAV, label: "WAV" },
  { value: SpeechFormat.OPUS, label: "Opus" },
  { value: SpeechFormat.AAC, label: "AAC" },
  { value: SpeechFormat.FLAC, label: "FLAC" },
];

export function Speak({ client, onAuthError, models }: PageProps & { models: Model[] }) {
  const ttsModels = models.filter((m) => m.outputModalities.includes("audio"));
  const [model, setModel] = useState("");
  const [input, setInput] = useState("Hello from hoosh.");
  const [voice, setVoice] = useState("");
  const [format, setFormat] = useState(SpeechFormat.UNSPECIFIED);
  const [speed, setSpeed] = useState("1");
  const [busy, setBusy] = useState(false);
  const [audioUrl, setAudioUrl] = useState<string>();
  const [facts, setFacts] = useState("");
  const [error, setError] = useState<string>();
  const running = useRef<AbortController | null>(null);

  useEffect(() => setModel((m) => m || ttsModels[0]?.id || ""), [models]);
  useEffect(() => () => running.current?.abort(), []);
  // Each new clip frees the previous one's memory.
  useEffect(() => () => (audioUrl ? URL.revokeObjectURL(audioUrl) : undefined), [audioUrl]);

  const speak = async (e: Event) => {
    e.preventDefault();
    const controller = new AbortController();
    running.current = controller;
    setBusy(true);
    setError(undefined);
    setFacts("");
    setAudioUrl(undefined);
    try {
      const chunks: Uint8Array[] = [];
      let type = "audio/mpeg";
      let provider = "";
      let seconds = 0;
      // The server checks the input (empty, over 4,096 characters): its error names the field.
      const stream = client.speech.synthesize({ model, input, voice, format, speed: Number(speed) }, { signal: controller.signal, timeoutMs: 5 * 60_000 });
      for await (const ev of stream) {
        if (ev.event.case === "start") {
          type = ev.event.value.contentType || type;
          provider = ev.event.value.provider;
        } else if (ev.event.case === "audio") chunks.push(ev.event.value);
        else if (ev.event.case === "end") seconds = ev.event.value.durationSeconds;
      }
      const whole = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      chunks.reduce((at, c) => (whole.set(c, at), at + c.length), 0);
      const file = type.includes("wav") ? fixStreamedWavSizes(whole) : whole;
      setAudioUrl(URL.createObjectURL(new Blob([file], { type })));
      setFacts(`${seconds ? `${seconds.toFixed(1)} s` : "audio"} · ${type} · ${whole.length.toLocaleString("en-US")} bytes${provider ? ` from ${provider}` : ""}`);
    } catch (err) {
      if (controller.signal.aborted) return;
      onAuthError(err);
      setError(plainError(err));
    } finally {
      if (running.current === controller) running.current = null;
      setBusy(false);
    }
  };

  return (
    <form class="speech" onSubmit={speak} aria-labelledby="tts-title">
      <h2 id="tts-title">Text to speech</h2>
      <label for="tts-model">Model</label>
      <select id="tts-model" value={model} onChange={(e) => setModel(e.currentTarget.value)}>
        {ttsModels.map((m) => (
          <option key={`${m.provider}/${m.id}`} value={m.id}>
            {m.id} ({m.provider})
          </option>
        ))}
      </select>
      {ttsModels.length === 0 ? <p class="muted">No model that speaks is configured.</p> : null}
      <label for="tts-text">Text</label>
      <textarea id="tts-text" rows={3} value={input} onInput={(e) => setInput(e.currentTarget.value)} />
      <div class="speech-options">
        <div>
          <label for="tts-voice">Voice</label>
          <input id="tts-voice" list="tts-voices" placeholder="provider default" value={voice} onInput={(e) => setVoice(e.currentTarget.value)} />
          <datalist id="tts-voices">
            {VOICES.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </div>
        <div>
          <label for="tts-format">Format</label>
          <select id="tts-format" value={String(format)} onChange={(e) => setFormat(Number(e.currentTarget.value) as SpeechFormat)}>
            {FORMATS.map((f) => (
              <option key={f.value} value={String(f.value)}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="tts-speed">Speed (0.25 to 4)</label>
          <input id="tts-speed" type="number" min="0.25" max="4" step="0.25" value={speed} onInput={(e) => setSpeed(e.currentTarget.value)} />
        </div>
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          Speak
        </button>
      </div>
      <ErrorNote message={error} />
      {audioUrl ? <audio id="speech-audio" controls src={audioUrl} /> : null}
      {facts ? <p class="muted" data-testid="speech-facts">{facts}</p> : null}
    </form>
  );
}
