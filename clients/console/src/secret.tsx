// A key's secret, shown once (CreateKey, RotateKey): hoosh keeps only its sha256, so it lives in
// this component's state and nowhere else (not in storage, not in the URL) and is gone when the
// user dismisses it, leaves the page or reloads. Copy uses the Clipboard API; where that is
// missing or refused, the text is selected so Ctrl+C (or the context menu) copies it.
import { useLayoutEffect, useRef, useState } from "preact/hooks";

export function SecretOnce(props: { title: string; secret: string; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<string>();
  useLayoutEffect(() => field.current?.focus(), [props.secret]);

  const onCopy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(props.secret);
      setCopy("Copied to the clipboard.");
    } catch {
      field.current?.focus();
      field.current?.select();
      setCopy("This browser did not let the console copy. The secret is selected: press Ctrl+C (⌘C) to copy it.");
    }
  };

  return (
    <div class="secret" role="region" aria-label={props.title} data-testid="secret">
      <h2>{props.title}</h2>
      <p>
        <strong>Copy it now: it is shown only this once.</strong> hoosh keeps only a hash of it; lose it and the key has to be rotated.
      </p>
      <label for="secret-value">Secret</label>
      <input ref={field} id="secret-value" class="mono" readOnly value={props.secret} onFocus={(e) => e.currentTarget.select()} />
      <div class="actions">
        <button type="button" onClick={() => void onCopy()}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Done
        </button>
      </div>
      {copy ? <p role="status">{copy}</p> : null}
    </div>
  );
}
