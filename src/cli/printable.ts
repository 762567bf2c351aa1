/*
 * Text that other people wrote (messages, group names) reaches the terminal through this: control
 * characters could move the cursor, rewrite earlier lines or change colours, and bidirectional
 * overrides could make text read differently from what it is. They are shown as visible escapes.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with terminal control and bidirectional-override characters replaced by `\u{…}` escapes; tabs and newlines are kept. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`);
}

/** One line of `text`: as `printable`, and line breaks shown as `\n`. */
export function printableLine(text: string): string {
  return printable(text).replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
}
