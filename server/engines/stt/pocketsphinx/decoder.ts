// One pocketsphinx decoder (~150 MB, ~1 s to load): an utterance is started,
// fed 16 kHz mono int16 chunks as they arrive, and read for partial and final
// hypotheses. Not safe for concurrent use: the pool hands it to one request at a time.
import { access } from "node:fs/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { DEFAULT_LIBRARY, DEFAULT_PATHS, loadPocketsphinx, type PocketsphinxLib } from "./ffi.js";

export interface PocketsphinxPaths {
  hmm_dir: string;
  dict_path: string;
  lm_path: string;
  /** The shared library; default: Debian's libpocketsphinx3 on x86_64. */
  library?: string;
}

export interface WordTime {
  word: string;
  startSeconds: number;
  endSeconds: number;
}

/** pocketsphinx's front end runs at 100 frames per second. */
export const FRAMES_PER_SECOND = 100;

export class PocketsphinxDecoder {
  private inUtterance = false;
  private freed = false;

  private readonly cmn: ReturnType<PocketsphinxLib["cmn"]>;
  /** The model's initial CMN (feat.params -cmninit), restored at every start. */
  private readonly cmnInit: Float32Array | undefined;

  private constructor(
    private readonly lib: PocketsphinxLib,
    private readonly ps: unknown,
    private readonly config: unknown,
  ) {
    this.cmn = lib.cmn(ps);
    this.cmnInit = this.cmn?.get();
  }

  static async load(paths: Partial<PocketsphinxPaths> = {}): Promise<PocketsphinxDecoder> {
    const p = { ...DEFAULT_PATHS, ...paths };
    for (const key of ["hmm_dir", "dict_path", "lm_path"] as const) {
      await access(p[key]).catch(() => {
        throw new ConnectError(`pocketsphinx ${key} "${p[key]}" does not exist; install pocketsphinx-en-us (scripts/install-system-deps.sh) or fix the path`, Code.FailedPrecondition);
      });
    }
    let lib: PocketsphinxLib;
    try {
      lib = loadPocketsphinx(p.library ?? DEFAULT_LIBRARY);
    } catch (err) {
      throw new ConnectError(`pocketsphinx library ${p.library ?? DEFAULT_LIBRARY} could not be loaded (${String(err)}); run scripts/install-system-deps.sh`, Code.FailedPrecondition);
    }
    const argv = ["-hmm", p.hmm_dir, "-dict", p.dict_path, "-lm", p.lm_path, "-logfn", "/dev/null"];
    const config = lib.cmdLnParse(lib.psArgs(), argv);
    if (!config) throw new ConnectError(`pocketsphinx rejected its arguments ${argv.join(" ")}`, Code.FailedPrecondition);
    const ps = await lib.init(config);
    if (!ps) {
      lib.cmdLnFree(config);
      throw new ConnectError(`pocketsphinx could not load its model (hmm_dir ${p.hmm_dir}, dict_path ${p.dict_path}, lm_path ${p.lm_path}); check the paths`, Code.FailedPrecondition);
    }
    return new PocketsphinxDecoder(lib, ps, config);
  }

  /** Starts an utterance from the model's initial state: no trace of the previous request's audio. */
  start(): void {
    if (this.cmn && this.cmnInit) this.cmn.set(this.cmnInit);
    if (this.lib.startUtt(this.ps) < 0) throw new ConnectError("pocketsphinx could not start an utterance", Code.Internal);
    this.inUtterance = true;
  }

  /** Feeds samples (16 kHz mono); returns the hypothesis so far ("" before any word). */
  async process(samples: Int16Array): Promise<string> {
    if (samples.length === 0) return this.hypothesis();
    const rc = await this.lib.processRaw(this.ps, samples);
    if (rc < 0) throw new ConnectError(`pocketsphinx failed to process audio (${rc})`, Code.Internal);
    return this.hypothesis();
  }

  hypothesis(): string {
    return this.lib.getHyp(this.ps) ?? "";
  }

  /** Ends the utterance: the final text and its words with times (fillers and silences dropped). */
  async finish(): Promise<{ text: string; words: WordTime[] }> {
    await this.end();
    const text = (await this.lib.finalHyp(this.ps)) ?? "";
    const segments = this.lib.segments(this.ps); // reuses the lattice the final hypothesis built

    // libpocketsphinx 5prealpha reports segment frames from a running counter, not
    // from the utterance start; the first segment (<s>) starts the utterance.
    const origin = Math.min(...segments.map((s) => s.startFrame));
    const words = segments
      .filter((s) => !/^(<.*>|\[.*\])$/.test(s.word))
      .map((s) => ({
        word: s.word.replace(/\(\d+\)$/, ""),
        startSeconds: (s.startFrame - origin) / FRAMES_PER_SECOND,
        endSeconds: (s.endFrame + 1 - origin) / FRAMES_PER_SECOND,
      }));
    return { text, words };
  }

  /** Ends an utterance left open (cancelled request), so the decoder can be reused. */
  async end(): Promise<void> {
    if (!this.inUtterance) return;
    this.inUtterance = false;
    await this.lib.endUtt(this.ps);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.lib.free(this.ps);
    this.lib.cmdLnFree(this.config);
  }
}
