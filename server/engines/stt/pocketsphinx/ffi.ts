// koffi bindings to Debian's libpocketsphinx 0.8 (0.8+5prealpha: ps_start_utt(ps),
// ps_get_hyp(ps, score), ps_seg_iter(ps)). Loaded lazily, once per library path.
// The slow calls (ps_init ~1 s, ps_process_raw, ps_end_utt) run through koffi's
// async mode on its worker thread, so decoding never blocks the event loop.
import { createRequire } from "node:module";
// koffi (a native module) is required on first use only: a gateway without pocketsphinx never loads it.
const requireNative = createRequire(import.meta.url);

export const DEFAULT_LIBRARY = "/usr/lib/x86_64-linux-gnu/libpocketsphinx.so.3";
export const DEFAULT_MODEL_DIR = "/usr/share/pocketsphinx/model/en-us";
export const DEFAULT_PATHS = {
  hmm_dir: `${DEFAULT_MODEL_DIR}/en-us`,
  dict_path: `${DEFAULT_MODEL_DIR}/cmudict-en-us.dict`,
  lm_path: `${DEFAULT_MODEL_DIR}/en-us.lm.bin`,
};

type Ptr = unknown;
type AsyncFn = (...args: unknown[]) => void;
interface KoffiFn {
  (...args: unknown[]): unknown;
  async: AsyncFn;
}

export interface PocketsphinxLib {
  psArgs(): Ptr;
  cmdLnParse(defn: Ptr, argv: string[]): Ptr;
  cmdLnFree(config: Ptr): void;
  init(config: Ptr): Promise<Ptr>;
  free(ps: Ptr): void;
  startUtt(ps: Ptr): number;
  processRaw(ps: Ptr, samples: Int16Array): Promise<number>;
  endUtt(ps: Ptr): Promise<number>;
  /** Cheap while an utterance runs (a backtrace, ~1-3 ms). */
  getHyp(ps: Ptr): string | null;
  /** After ps_end_utt the hypothesis comes from a lattice search (~0.5 s for 11 s of speech): off the event loop. */
  finalHyp(ps: Ptr): Promise<string | null>;
  /**
   * The cepstral-mean (CMN) estimate, which pocketsphinx carries from one
   * utterance into the next: read once after load, written back at each start
   * so every request decodes from the same state. Undefined when the feat_t
   * layout does not look like sphinxbase 5prealpha's.
   */
  cmn(ps: Ptr): { get(): Float32Array; set(vec: Float32Array): void } | undefined;
  /** Words of the last utterance with frame numbers (100 frames per second). */
  segments(ps: Ptr): { word: string; startFrame: number; endFrame: number }[];
}

const loaded = new Map<string, PocketsphinxLib>();

function promisify<T>(fn: KoffiFn, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => fn.async(...args, (err: unknown, value: T) => (err ? reject(err) : resolve(value))));
}

/** Binds the library at `path` (throws when it cannot be loaded: the caller maps that to a clear error). */
export function loadPocketsphinx(path = DEFAULT_LIBRARY): PocketsphinxLib {
  const cached = loaded.get(path);
  if (cached) return cached;
  const koffi = requireNative("koffi") as typeof import("koffi");
  const lib = koffi.load(path);
  const f = (sig: string) => lib.func(sig) as unknown as KoffiFn;
  const psArgs = f("void *ps_args()");
  const cmdLnParse = f("void *cmd_ln_parse_r(void *inout, void *defn, int argc, const char **argv, int strict)");
  const cmdLnFree = f("int cmd_ln_free_r(void *config)");
  const psInit = f("void *ps_init(void *config)");
  const psFree = f("int ps_free(void *ps)");
  const startUtt = f("int ps_start_utt(void *ps)");
  const processRaw = f("int ps_process_raw(void *ps, const int16_t *data, size_t n, int no_search, int full_utt)");
  const endUtt = f("int ps_end_utt(void *ps)");
  const getHyp = f("const char *ps_get_hyp(void *ps, void *score)");
  const segIter = f("void *ps_seg_iter(void *ps)");
  const segNext = f("void *ps_seg_next(void *seg)");
  const segWord = f("const char *ps_seg_word(void *seg)");
  const segFrames = f("void ps_seg_frames(void *seg, _Out_ int *sf, _Out_ int *ef)");
  const getFeat = f("void *ps_get_feat(void *ps)");
  const cmnGet = f("void cmn_live_get(void *cmn, _Out_ float *vec)");
  const cmnSet = f("void cmn_live_set(void *cmn, const float *vec)");
  const bound: PocketsphinxLib = {
    psArgs: () => psArgs(),
    cmdLnParse: (defn, argv) => cmdLnParse(null, defn, argv.length, argv, 1),
    cmdLnFree: (config) => void cmdLnFree(config),
    init: (config) => promisify<Ptr>(psInit, config),
    free: (ps) => void psFree(ps),
    startUtt: (ps) => startUtt(ps) as number,
    processRaw: (ps, samples) => promisify<number>(processRaw, ps, samples, samples.length, 0, 0),
    endUtt: (ps) => promisify<number>(endUtt, ps),
    getHyp: (ps) => getHyp(ps, null) as string | null,
    finalHyp: (ps) => promisify<string | null>(getHyp, ps, null),
    cmn(ps) {
      // sphinxbase 5prealpha feat_t (x86_64): int32 cepsize at byte 16, cmn_t *cmn_struct at byte 88.
      const feat = getFeat(ps);
      if (!feat) return undefined;
      const cepsize = koffi.decode(feat, 16, "int32_t") as number;
      const cmn = koffi.decode(feat, 88, "void *");
      if (cepsize < 1 || cepsize > 64 || !cmn) return undefined;
      const get = () => {
        const vec = new Float32Array(cepsize);
        cmnGet(cmn, vec);
        return vec;
      };
      if (!get().every(Number.isFinite)) return undefined;
      return { get, set: (vec) => void cmnSet(cmn, vec) };
    },
    segments(ps) {
      const out: { word: string; startFrame: number; endFrame: number }[] = [];
      // ps_seg_next frees the iterator when it returns NULL.
      for (let seg = segIter(ps); seg; seg = segNext(seg)) {
        const sf = [0];
        const ef = [0];
        segFrames(seg, sf, ef);
        out.push({ word: segWord(seg) as string, startFrame: sf[0]!, endFrame: ef[0]! });
      }
      return out;
    },
  };
  loaded.set(path, bound);
  return bound;
}
