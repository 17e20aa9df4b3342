// The user's key (kept in sessionStorage: gone when the tab closes) and the Connect-Web client
// built with it. Every byte of data the console shows comes through this client.
import { createHooshClient, type HooshClient } from "../../ts/src/web.js";

const STORAGE_KEY = "hoosh.console.key";

export function savedKey(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function saveKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export function clientFor(key: string | undefined): HooshClient {
  return createHooshClient({ baseUrl: location.origin, apiKey: key, protocol: "connect", defaultTimeoutMs: 30_000 });
}
