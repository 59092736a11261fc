/** A GitHub-flavoured markdown table; numeric columns are right-aligned. */
export function table(head: string[], rows: (string | number)[][], numeric: boolean[] = head.map((_, i) => i > 0)): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (numeric[i] ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** A figure for a table: fixed decimals, or "n/a" when it could not be measured. */
export function fmt(value: number, decimals = 1): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : 'n/a';
}

export const kib = (bytes: number) => fmt(bytes / 1024, 1);

/** ✅ / ❌ against a target, for the summary. */
export const verdict = (met: boolean) => (met ? 'met' : '**missed**');
