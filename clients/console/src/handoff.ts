// A chat handed to the playground by another page (the request log's "Open in playground"): kept
// in this tab's sessionStorage for the one navigation, then taken (and removed) by the playground.
const STORAGE_KEY = "hoosh.console.playground-draft";

export interface Draft {
  model: string;
  /** The logged request's text; empty when the log keeps no payloads. */
  prompt: string;
}

export function openInPlayground(draft: Draft): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(draft));
  location.hash = "#/playground";
}

export function takeDraft(): Draft | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (text === null) return undefined;
  sessionStorage.removeItem(STORAGE_KEY);
  try {
    const d = JSON.parse(text) as Partial<Draft>;
    return typeof d.model === "string" ? { model: d.model, prompt: typeof d.prompt === "string" ? d.prompt : "" } : undefined;
  } catch {
    return undefined;
  }
}
