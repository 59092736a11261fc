/** The "## " sections of a markdown file, by heading, each with its body (up to the next "## "). */
function sections(markdown: string): { heading: string; text: string }[] {
  const out: { heading: string; text: string }[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) out.push({ heading: line.slice(3).trim(), text: `${line}\n` });
    else if (out.length > 0) out[out.length - 1]!.text += `${line}\n`;
  }
  return out;
}

/**
 * The new report, followed by the sections of the old one that it does not write itself: other
 * scripts write their own sections into BENCHMARKS.md (`npm run soak` its "## Soak"), and a run of
 * `npm run bench` must not wipe them.
 */
export function keepOtherSections(report: string, previous: string): string {
  const ours = new Set(sections(report).map((s) => s.heading));
  const others = sections(previous).filter((s) => !ours.has(s.heading));
  if (others.length === 0) return report;
  return `${report.trimEnd()}\n\n${others.map((s) => s.text.trim()).join('\n\n')}\n`;
}
