// The console's shell: find out whether a key is needed, log in, then the pages behind a
// keyboard-usable navigation (hash routes, so index.html is the only HTML the server serves).
import { useEffect, useState } from "preact/hooks";
import type { HooshClient } from "../../ts/src/web.js";
import { isUnauthenticated, plainError } from "./errors.js";
import { Budgets } from "./pages/budgets.js";
import { Hardware } from "./pages/hardware.js";
import { Keys } from "./pages/keys.js";
import { Requests } from "./pages/requests.js";
import { Login } from "./pages/login.js";
import { Overview } from "./pages/overview.js";
import { Playground } from "./pages/playground.js";
import { Providers } from "./pages/providers.js";
import { Speech } from "./pages/speech.js";
import { clientFor, forgetKey, saveKey, savedKey } from "./session.js";

export interface PageProps {
  client: HooshClient;
  /** Call with an RPC error: an Unauthenticated one sends the user back to the login. */
  onAuthError: (err: unknown) => void;
}

const PAGES = [
  { id: "overview", title: "Overview", Page: Overview },
  { id: "playground", title: "Playground", Page: Playground },
  { id: "speech", title: "Speech", Page: Speech },
  { id: "budgets", title: "Budgets and spend", Page: Budgets },
  { id: "providers", title: "Providers and models", Page: Providers },
  { id: "hardware", title: "Hardware and cache", Page: Hardware },
  { id: "requests", title: "Requests", Page: Requests },
  { id: "keys", title: "Keys", Page: Keys },
] as const;

function route(): string {
  const id = location.hash.replace(/^#\/?/, "");
  return PAGES.some((p) => p.id === id) ? id : "overview";
}

type Session = { state: "checking" } | { state: "login"; message?: string } | { state: "in"; client: HooshClient; keyed: boolean } | { state: "error"; message: string };

export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const [page, setPage] = useState(route());

  useEffect(() => {
    const onHash = () => setPage(route());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  // With a saved key, use it; without one, see whether this hoosh asks for keys at all. The probe is
  // GetCacheStats: answered from memory (ListModels may ask the upstreams) and allowed to admin,
  // budgets:read and inference keys.
  useEffect(() => {
    const key = savedKey();
    const client = clientFor(key);
    client.inference.getCacheStats({}).then(
      () => setSession({ state: "in", client, keyed: key !== undefined }),
      (err: unknown) => {
        if (isUnauthenticated(err)) {
          forgetKey();
          setSession({ state: "login", ...(key ? { message: plainError(err) } : {}) });
        } else setSession({ state: "error", message: plainError(err) });
      },
    );
  }, []);

  const login = async (key: string): Promise<string | undefined> => {
    const client = clientFor(key);
    try {
      await client.inference.getCacheStats({});
    } catch (err) {
      return plainError(err);
    }
    saveKey(key);
    setSession({ state: "in", client, keyed: true });
    return undefined;
  };
  const logout = () => {
    forgetKey();
    setSession({ state: "login" });
  };
  const onAuthError = (err: unknown) => {
    if (!isUnauthenticated(err)) return;
    forgetKey();
    setSession({ state: "login", message: plainError(err) });
  };

  if (session.state === "checking") return <p class="boot">Connecting to hoosh…</p>;
  if (session.state === "error") return <p class="error" role="alert">{session.message}</p>;
  if (session.state === "login") return <Login onLogin={login} message={session.message} />;
  const current = PAGES.find((p) => p.id === page) ?? PAGES[0];
  const { Page } = current;
  return (
    <div class="shell">
      <header>
        <span class="brand">hoosh</span>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} aria-current={p.id === current.id ? "page" : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        {session.keyed ? (
          <button type="button" class="link" onClick={logout}>
            Log out
          </button>
        ) : (
          <span class="muted">no keys configured</span>
        )}
      </header>
      <main id="page" data-page={current.id}>
        <h1>{current.title}</h1>
        <Page client={session.client} onAuthError={onAuthError} />
      </main>
    </div>
  );
}
