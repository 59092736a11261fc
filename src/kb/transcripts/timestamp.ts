// [hours:]minutes:seconds(.|,)fraction. WebVTT writes "01:02:03.500" or "02:03.500", SRT
// "01:02:03,500"; hours may run past 99, fractions are 1 to 3 digits in the files seen in the wild.
const TIMESTAMP = /^(?:(\d+):)?([0-5]\d):([0-5]\d)(?:[.,](\d{1,3}))?$/;

/** Seconds from a caption timestamp, or null when it is not one. */
export function parseTimestamp(text: string, requireHours = false): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [, h, min, s, frac] = m;
  if (requireHours && h === undefined) return null;
  return Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s) + (frac ? Number(frac.padEnd(3, '0')) / 1000 : 0);
}

/** "01:02:03.500" for messages. */
export function formatTimestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

// WebVTT puts spaces around the arrow; some SRT writers leave them out ("00:00:01,000-->00:00:04,000").
const ARROW = /^(\S+?)[ \t]*-->[ \t]*(\S+)(?:[ \t]+.*)?$/;

/** The start and end of a "start --> end [settings]" line, or a message saying what is wrong. */
export function parseTiming(line: string, requireHours = false): { start: number; end: number } | { error: string } {
  const m = ARROW.exec(line.trim());
  if (!m) return { error: `expected a timing line "start --> end", got "${line.trim().slice(0, 60)}"` };
  const start = parseTimestamp(m[1]!, requireHours);
  if (start === null) return { error: `invalid start time "${m[1]}"` };
  const end = parseTimestamp(m[2]!, requireHours);
  if (end === null) return { error: `invalid end time "${m[2]}"` };
  if (end <= start) return { error: `end time ${m[2]} is not after start time ${m[1]}` };
  return { start, end };
}
