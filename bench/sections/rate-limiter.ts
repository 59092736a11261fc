import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../lib/child-process.js';
import type { Section, SectionResult } from './section.js';

const SCRIPT = 'bench:limits';
const HEADING = '## Rate limiter';

async function hasScript(): Promise<boolean> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return Boolean(pkg.scripts?.[SCRIPT]);
}

function runScript(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', SCRIPT], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`npm run ${SCRIPT} exited with ${code}:\n${(err || out).slice(-2000)}`))));
  });
}

/** The numbers of the section's table: the "checks/s" column, by limiter. */
function checksPerSecond(section: string): Record<string, number> {
  const figures: Record<string, number> = {};
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const column = lines[0]?.split('|').findIndex((c) => c.trim() === 'checks/s') ?? -1;
  if (column < 0) return figures;
  for (const line of lines.slice(2)) {
    const cells = line.split('|');
    const value = Number(cells[column]?.trim());
    if (Number.isFinite(value)) figures[`${cells[1]!.trim()}.checks_per_s`] = value;
  }
  return figures;
}

/**
 * Our rate limiter's checks/s against rate-limiter-flexible: the rate-limit work's own
 * `npm run bench:limits`, run as it is and its "## Rate limiter" section taken from its output.
 * Until that script exists on this branch, the section says it is pending.
 */
export const rateLimiterSection: Section = {
  title: 'Rate limiter',
  async run(ctx): Promise<SectionResult> {
    if (!(await hasScript())) {
      const pending = `\`npm run ${SCRIPT}\` is not on this branch yet (it comes with the rate limits, from their branch)`;
      return { markdown: `Pending: ${pending}. Once it lands, \`npm run bench\` runs it and puts its table here.`, figures: {}, pending };
    }
    // The script also writes its section into BENCHMARKS.md itself; this run writes the whole file,
    // so whatever it wrote there is put back as it was (a quick run must not touch the real report).
    const file = path.join(ROOT, 'BENCHMARKS.md');
    const saved = await readFile(file, 'utf8').catch(() => null);
    let out: string;
    try {
      out = await runScript({ BENCH_REDIS_URL: ctx.env.redisUrl, ...ctx.profile.limits });
    } finally {
      if (saved === null) await rm(file, { force: true });
      else await writeFile(file, saved);
    }
    const start = out.indexOf(HEADING);
    if (start < 0) throw new Error(`npm run ${SCRIPT} printed no "${HEADING}" section`);
    const section = out.slice(start + HEADING.length).trim();
    ctx.log(`rate limiter: ${Object.keys(checksPerSecond(section)).length} limiters measured`);
    return { markdown: section, figures: checksPerSecond(section) };
  },
};
