// Revoke or rotate one stored key, confirmed in place (no browser dialog, so keyboard and screen
// reader users get the same flow). Rotate asks how long the previous secret keeps working.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ApiKey } from "../../../../gen/ts/hoosh/v1/keys_pb.js";
import { fieldError } from "../field-error.js";

const UNITS: [string, number][] = [
  ["minutes", 60],
  ["hours", 3600],
  ["days", 86_400],
];

export interface KeyActionProps {
  keyInfo: ApiKey;
  action: "revoke" | "rotate";
  onRevoke: (id: string) => Promise<void>;
  onRotate: (id: string, graceSeconds: number) => Promise<void>;
  onClose: () => void;
}

export function KeyAction({ keyInfo: k, action, onRevoke, onRotate, onClose }: KeyActionProps) {
  const [amount, setAmount] = useState("24");
  const [unit, setUnit] = useState("hours");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), [k.id, action]);

  const run = async (e: Event) => {
    e.preventDefault();
    let grace = 0;
    if (action === "rotate") {
      const n = Number(amount.trim());
      if (amount.trim() === "" || !Number.isFinite(n) || n < 0) return setError(`Grace period: "${amount}" is not a number ≥ 0 (0 stops the old secret at once).`);
      grace = Math.round(n * (UNITS.find(([u]) => u === unit)?.[1] ?? 3600));
    }
    setBusy(true);
    try {
      await (action === "revoke" ? onRevoke(k.id) : onRotate(k.id, grace));
    } catch (err) {
      setError(fieldError(err, { grace_period: "Grace period" }).text);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="key-action" onSubmit={run} data-testid="key-action">
      <h2 ref={heading} tabIndex={-1}>
        {action === "revoke" ? `Revoke key ${k.name}?` : `Rotate key ${k.name}`}
      </h2>
      {action === "revoke" ? (
        <p>Requests with its secret (and any previous one still in a grace period) are refused from now on. This cannot be undone.</p>
      ) : (
        <>
          <p>The key gets a new secret, shown once. The current secret keeps working for the grace period, then stops.</p>
          <div class="row">
            <div class="field">
              <label for="grace-amount">Grace period</label>
              <input id="grace-amount" inputMode="decimal" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="grace-unit">Unit</label>
              <select id="grace-unit" value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
                {UNITS.map(([u]) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </>
      )}
      <div class="actions">
        <button type="submit" class={action === "revoke" ? "danger" : undefined} disabled={busy}>
          {action === "revoke" ? "Revoke key" : "Rotate key"}
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
