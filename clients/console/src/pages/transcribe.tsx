// Speech to text: a WAV file (or a microphone recording, where the browser allows it) through
// TranscribeService.TranscribeFile, the one-message form a browser can send (fetch cannot stream a
// request). Partials show as the engine forms them, then the final transcript replaces them.
import { Code, ConnectError } from "@connectrpc/connect";
import { useEffect, useRef, useState } from "preact/hooks";
import { Capability, type Model } from "../../../../gen/ts/hoosh/v1/models_pb.js";
import { AudioEncoding } from "../../../../gen/ts/hoosh/v1/transcribe_pb.js";
import type { PageProps } from "../app.js";
import { ErrorNote } from "../error-note.js";
import { plainError } from "../errors.js";
import { canRecord, startRecording, type Recording } from "../recorder.js";

type Status = "idle" | "recording" | "transcribing" | "partial" | "done" | "failed";

export function Transcribe({ client, onAuthError, models }: PageProps & { models: Model[] }) {
  const sttModels = models.filter((m) => m.capabilities.includes(Capability.TRANSCRIPTION));
  const [model, setModel] = useState("");
  const [file, setFile] = useState<File>();
  const [text, setText] = useState("");
  const [status, setStatus] = useState<Status>("idle");
  const [facts, setFacts] = useState("");
  const [partials, setPartials] = useState(0);
  const [error, setError] = useState<string>();
  const recording = useRef<Recording | null>(null);
  const [recorded, setRecorded] = useState(0);
  const running = useRef<AbortController | null>(null);

  useEffect(() => setModel((m) => m || sttModels[0]?.id || ""), [models]);
  useEffect(() => () => running.current?.abort(), []);
  // While recording: how long so far, so the user (and a test) can see it is taking in sound.
  useEffect(() => {
    if (status !== "recording") return;
    const timer = setInterval(() => setRecorded(Math.floor(recording.current?.seconds() ?? 0)), 250);
    return () => clearInterval(timer);
  }, [status]);

  const transcribe = async (audio: Uint8Array) => {
    if (!model) return setError("Pick a speech-to-text model first.");
    const controller = new AbortController();
    running.current = controller;
    setText("");
    setFacts("");
    setPartials(0);
    setError(undefined);
    setStatus("transcribing");
    try {
      const stream = client.transcribe.transcribeFile(
        { config: { model, encoding: AudioEncoding.WAV }, audio },
        { signal: controller.signal, timeoutMs: 5 * 60_000 },
      );
      for await (const ev of stream) {
        if (ev.event.case === "partial") {
          setText(ev.event.value.text);
          setPartials((n) => n + 1);
          setStatus("partial");
        } else if (ev.event.case === "final") {
          const f = ev.event.value;
          setText(f.text);
          setFacts(`${f.durationSeconds.toFixed(1)} s of audio · ${f.model}${f.usage?.provider ? ` on ${f.usage.provider}` : ""}`);
          setStatus("done");
        }
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      onAuthError(err);
      // The one request is bounded by the server's body limit: say so, not "a budget was reached".
      const tooBig = err instanceof ConnectError && err.code === Code.ResourceExhausted && /readMaxBytes/.test(err.rawMessage);
      setError(tooBig ? `The file is larger than this hoosh takes in one request (its server.max_body_bytes). (${err.rawMessage})` : plainError(err));
      setStatus("failed");
    }
  };

  // A new file: the last transcript is not its transcript.
  const choose = (e: Event) => {
    setFile((e.currentTarget as HTMLInputElement).files?.[0]);
    setText("");
    setFacts("");
    setStatus("idle");
  };

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return setError("Choose a WAV file first.");
    await transcribe(new Uint8Array(await file.arrayBuffer()));
  };

  const toggleRecording = async () => {
    if (recording.current) {
      const r = recording.current;
      recording.current = null;
      try {
        await transcribe(await r.stop());
      } catch (err) {
        setError(`The recording could not be read: ${(err as Error).message}`);
        setStatus("failed");
      }
      return;
    }
    try {
      recording.current = await startRecording();
      setRecorded(0);
      setError(undefined);
      setStatus("recording");
    } catch (err) {
      setError(`The microphone is not available: ${(err as Error).message}`);
    }
  };

  return (
    <form class="speech" onSubmit={upload} aria-labelledby="stt-title">
      <h2 id="stt-title">Speech to text</h2>
      <label for="stt-model">Model</label>
      <select id="stt-model" value={model} onChange={(e) => setModel(e.currentTarget.value)}>
        {sttModels.map((m) => (
          <option key={`${m.provider}/${m.id}`} value={m.id}>
            {m.id} ({m.provider})
          </option>
        ))}
      </select>
      {sttModels.length === 0 ? <p class="muted">No model that transcribes is configured.</p> : null}
      <label for="stt-file">WAV file (16-bit PCM)</label>
      <input id="stt-file" type="file" accept=".wav,audio/wav,audio/x-wav" onChange={choose} />
      <div class="actions">
        <button type="submit" disabled={status === "transcribing" || status === "partial" || status === "recording"}>
          Transcribe
        </button>
        {canRecord() ? (
          <button type="button" onClick={toggleRecording} disabled={status === "transcribing" || status === "partial"}>
            {status === "recording" ? "Stop and transcribe" : "Record"}
          </button>
        ) : null}
      </div>
      {status === "recording" ? (
        <p class="muted" role="status" data-recorded-seconds={recorded}>
          Recording… {recorded} s
        </p>
      ) : null}
      <ErrorNote message={error} />
      <output id="transcript" class="answer" aria-live="polite" data-status={status} data-partials={partials}>
        {text}
      </output>
      {facts ? <p class="muted" data-testid="transcript-facts">{facts}</p> : null}
    </form>
  );
}
