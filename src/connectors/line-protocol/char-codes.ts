// Character codes both line protocol parsers (line-parser.ts, line-fast-path.ts) scan for.
export const BACKSLASH = 92;
export const COMMA = 44;
export const SPACE = 32;
export const EQUALS = 61;
export const NEWLINE = 10;
export const RETURN = 13;
export const QUOTE = 34;
export const DIGIT_0 = 48;
export const DIGIT_9 = 57;

export const DOT = 46;
const PLUS = 43;
export const MINUS_SIGN = 45;
const LOWER_E = 101;
const UPPER_E = 69;

/** A digit, `.`, `e`/`E` or a sign: the characters of a decimal number's text. */
export function isDecimalChar(ch: number): boolean {
  return (ch >= DIGIT_0 && ch <= DIGIT_9) || ch === DOT || ch === PLUS || ch === MINUS_SIGN || ch === LOWER_E || ch === UPPER_E;
}
