// The console's response headers. The CSP allows only the console's own files and RPCs to its
// own origin: no inline script or style, no eval, no other origin, no framing. Media only from
// blob: URLs (the Speech page plays synthesized audio it assembled in the page).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/** index.html: always revalidated, so a new build's asset names are picked up at once. */
export const INDEX_HEADERS = { ...COMMON, "cache-control": "no-cache" };
/** Hashed assets: the name changes with the content. */
export const ASSET_HEADERS = { ...COMMON, "cache-control": "public, max-age=31536000, immutable" };
export const ERROR_HEADERS = { ...COMMON, "cache-control": "no-store", "content-type": "text/plain; charset=utf-8" };
