/**
 * Text from the data or the definitions, made safe to print on a terminal: control characters
 * (C0, DEL, C1 — so also the ESC of terminal escape sequences, CR and LF that would start a fake
 * log line) are shown escaped, as `\n`, `\r`, `\t` or `\xNN` / `\u{NNNN}`.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this escapes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
