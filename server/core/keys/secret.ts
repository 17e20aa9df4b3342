// API key secrets: made from 256 random bits, kept only as their sha256.
import { createHash, randomBytes } from "node:crypto";

/** sha256 of the key as lowercase hex: what [[keys]].hash and the key store hold. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A new random key: "hk_" + 32 random bytes in base64url (256 bits). */
export function generateKey(): string {
  return `hk_${randomBytes(32).toString("base64url")}`;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A new key id: "k-" + 16 random base32 characters (80 bits); a valid name, never the secret. */
export function newKeyId(): string {
  const bytes = randomBytes(16);
  let id = "k-";
  for (const b of bytes) id += BASE32[b & 31];
  return id;
}
