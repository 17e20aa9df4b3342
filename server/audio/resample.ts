// PCM16 down-mixing and resampling for speech engines that want 16 kHz mono.
/** Averages interleaved PCM16 channels into one (no-op for mono). */
export function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Streaming linear-interpolation resampler for mono PCM16 (speech engines want
 * 16 kHz). Each output sample interpolates the two input samples around its
 * position; the last input sample is carried to the next push, so chunk edges
 * are seamless and the output equals resampling the whole signal at once.
 * There is no anti-alias filter: downsampling folds content above the new
 * Nyquist frequency back into the band. Speech has little energy above
 * 8 kHz, and pocketsphinx's 16 kHz front end measurably still recognises
 * 44.1 kHz and 8 kHz input (test/stt/resample.test.ts); use a windowed-sinc
 * filter instead if music or wideband noise must be handled.
 */
export class LinearResampler {
  /** Index of the next output sample; its input position is k * fromHz / toHz (exact integer math, no drift). */
  private k = 0;
  /** Absolute input index of the next push's first sample. */
  private base = 0;
  private prev: number | undefined;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {}

  push(input: Int16Array): Int16Array {
    if (this.fromHz === this.toHz || input.length === 0) return input;
    const carry = this.prev !== undefined ? 1 : 0;
    const first = this.base - carry; // absolute index of buffer element 0
    const last = this.base + input.length - 1;
    const at = (abs: number) => (abs < this.base ? this.prev! : input[abs - this.base]!);
    const out = new Int16Array(Math.max(0, Math.ceil(((last - first + 1) * this.toHz) / this.fromHz) + 1));
    let n = 0;
    for (; ; this.k++) {
      const scaled = this.k * this.fromHz;
      const i = Math.floor(scaled / this.toHz);
      if (i >= last) break; // needs input i + 1
      const frac = (scaled - i * this.toHz) / this.toHz;
      out[n++] = Math.round(at(i) * (1 - frac) + at(i + 1) * frac);
    }
    this.base = last + 1;
    this.prev = input[input.length - 1];
    return out.subarray(0, n);
  }
}

/** Interleaved PCM16 at any rate and channel count → 16 kHz mono, in one go. */
export function to16kMono(samples: Int16Array, sampleRateHz: number, channels: number): Int16Array {
  return new LinearResampler(sampleRateHz, 16_000).push(downmix(samples, channels));
}
