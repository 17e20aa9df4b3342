// An RPC error in plain words (errors.ts), announced to screen readers; nothing when there is none.
export function ErrorNote(props: { message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p class="error" role="alert">
      {props.message}
    </p>
  );
}
