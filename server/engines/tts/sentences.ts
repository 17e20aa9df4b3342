// Splits text into the pieces the local TTS engine speaks one at a time: sentences, and long
// sentences further at commas or spaces, so the first audio goes out soon and a cancelled
// request stops soon. Pieces keep their punctuation (it shapes the intonation).
const MAX_PIECE = 240;

export function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  for (const sentence of text.split(/(?<=[.!?;:])\s+|\n+/)) {
    let rest = sentence.trim();
    while (rest.length > MAX_PIECE) {
      const window = rest.slice(0, MAX_PIECE);
      const cut = Math.max(window.lastIndexOf(", "), window.lastIndexOf(" "));
      const at = cut > MAX_PIECE / 3 ? cut + 1 : MAX_PIECE;
      pieces.push(rest.slice(0, at).trim());
      rest = rest.slice(at).trim();
    }
    if (/[\p{L}\p{N}]/u.test(rest)) pieces.push(rest);
  }
  return pieces;
}
