// Asks for an API key (admin, or a key with a read scope such as budgets:read); the key is kept
// in sessionStorage only after hoosh accepted it.
import { useState } from "preact/hooks";
import { ErrorNote } from "../error-note.js";

export function Login(props: { onLogin: (key: string) => Promise<string | undefined>; message?: string | undefined }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(props.message);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!key.trim()) {
      setError("Enter an API key.");
      return;
    }
    setBusy(true);
    setError(await props.onLogin(key.trim()));
    setBusy(false);
  };
  return (
    <main class="login">
      <h1>hoosh console</h1>
      <form onSubmit={submit}>
        <label for="key">API key (admin, or a read scope such as budgets:read)</label>
        <input id="key" name="key" type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <ErrorNote message={error} />
      </form>
      <p class="muted">The key stays in this tab's session storage and is sent only to this hoosh.</p>
    </main>
  );
}
