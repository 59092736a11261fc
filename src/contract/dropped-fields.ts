/**
 * The paths of fields in `sent` that `kept` (what a zod schema made of it) no longer has: the
 * fields the schema lacks, which zod strips silently. Tests turn every one into a failure.
 */
export function droppedFields(sent: unknown, kept: unknown, at = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(kept)) return [];
    return sent.flatMap((v, i) => droppedFields(v, kept[i], `${at}[${i}]`));
  }
  if (!isPlainObject(sent) || !isPlainObject(kept)) return [];
  return Object.entries(sent).flatMap(([key, value]) => {
    if (value === undefined) return []; // JSON has no undefined: nothing was going to be sent
    const path = at ? `${at}.${key}` : key;
    return key in kept ? droppedFields(value, kept[key], path) : [path];
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
