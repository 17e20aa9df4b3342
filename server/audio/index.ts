// The neutral audio module (WAV, container sniffing, resampling), for importers that want it all.
export { hex, parseWav, pcm16Duration, wrapPcm16, type WavInfo } from "./wav.js";
export { checkEncoding, encodingName, sniffFormat, type SniffedFormat } from "./formats.js";
export { downmix, LinearResampler, to16kMono } from "./resample.js";
