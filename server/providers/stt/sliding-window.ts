// Partial transcripts for an engine that decodes whole files (Whisper): every `everySeconds`
// of new audio the last `windowSeconds` are decoded again. The hypothesis is the frozen text
// of audio that has left the window plus the window's own text; a segment is frozen once the
// next window starts after it ends, and that window then starts where the frozen text ends,
// so no word is counted twice.
export interface TimedText {
  text: string;
  startSeconds: number;
  endSeconds: number;
}

export class SlidingWindow {
  private frozen: string[] = [];
  private frozenEnd = 0;
  private last: TimedText[] = [];
  private decodedAt = 0;

  constructor(
    private readonly windowSeconds: number,
    private readonly everySeconds: number,
  ) {}

  /** True when `seconds` of audio have arrived since the last partial. */
  due(seconds: number): boolean {
    return seconds - this.decodedAt >= this.everySeconds;
  }

  /** Where the next window starts, for audio that is `seconds` long; freezes what it leaves behind. */
  start(seconds: number): number {
    this.decodedAt = seconds;
    const from = Math.max(0, seconds - this.windowSeconds);
    for (const s of this.last) {
      if (s.endSeconds <= from && s.startSeconds >= this.frozenEnd - 1e-6) {
        this.frozen.push(s.text.trim());
        this.frozenEnd = s.endSeconds;
      }
    }
    this.last = [];
    return Math.max(from, this.frozenEnd);
  }

  /** The whole hypothesis after decoding the window that start() returned `from` for; segments are relative to it. */
  update(from: number, segments: TimedText[], text: string): string {
    this.last = segments.map((s) => ({ text: s.text, startSeconds: from + s.startSeconds, endSeconds: from + s.endSeconds }));
    return [...this.frozen, text.trim()].filter((t) => t !== "").join(" ");
  }
}
