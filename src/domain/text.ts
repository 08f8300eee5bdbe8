// The one text policy for user-supplied strings, on every path (HTTP bodies, MQTT payloads,
// WebSocket messages) and in every member, names of object members included. Refused: lone UTF-16
// surrogates (stored as UTF-8 they silently become U+FFFD), NUL (PostgreSQL text cannot hold it),
// other C0 controls but tab and line breaks, DEL and the C1 controls U+0080-U+009F (terminal escapes
// in logs and exports), and the bidi embeddings, overrides and isolates U+202A-U+202E and
// U+2066-U+2069 that make text display in an order other than it is stored ("Trojan Source").
// Single-line text (names, labels, types, field names) refuses tab and line breaks too. File names
// are not refused but sanitised (device-file.ts), since they come from the sender's file system.

const LONE_SURROGATE = /\p{Surrogate}/u;
const UNSAFE_MULTILINE = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_SINGLE_LINE = /[\u0001-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Cheap pre-check on raw JSON text: only an escape or a raw DEL, C1 or bidi character can break the policy. */
const SUSPECT_JSON = /\\u|[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` breaks the text policy, or undefined when it is fine. */
export function textProblem(text: string, options: { singleLine?: boolean } = {}): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogates)';
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  const bad = (options.singleLine ? UNSAFE_SINGLE_LINE : UNSAFE_MULTILINE).exec(text);
  return bad ? `must not contain control or bidi-override characters (${codePoint(bad[0])})` : undefined;
}

export interface TextViolation {
  field: string;
  problem: string;
}

/** The first string or member name in parsed JSON `value` that breaks the text policy, named from `path`. */
export function jsonTextProblem(value: unknown, path: string): TextViolation | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path, problem } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = jsonTextProblem(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    // The path names the member as a client can read it back: a lone surrogate shows as U+FFFD.
    const at = `${path}.${key.replace(/\p{Surrogate}/gu, '\ufffd')}`;
    if (keyProblem) return { field: at, problem: `name ${keyProblem}` };
    const bad = jsonTextProblem(member, at);
    if (bad) return bad;
  }
  return undefined;
}

/** Whether raw JSON text may hold a string jsonTextProblem would refuse (false: no need to walk it). */
export function jsonTextMayBreakPolicy(text: string): boolean {
  return SUSPECT_JSON.test(text);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` as text, or undefined when they are not valid UTF-8 (which a lenient decoder would turn into U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
