import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module specifier a file names: static and dynamic imports, and re-exports. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|[\s;])(?:import|export)\b[^'"`;]*?(?:from\s*)?\(?\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The src/ files a layer's files import (relative specifiers resolved, as paths under src/). */
function importsOf(layer: string): { file: string; target: string }[] {
  return filesUnder(path.join(SRC, layer)).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => ({
        file: path.relative(SRC, file),
        target: path.relative(SRC, path.resolve(path.dirname(file), s)).replace(/\.js$/, '.ts'),
      })),
  );
}

const inside = (target: string, allowed: string[]) =>
  allowed.some((a) => (a.endsWith('/') ? target.startsWith(a) : target === a));

describe('imports go one way (STYLE: http → chat → retrieval | llm | limits | store)', () => {
  it('reads every kind of import line', () => {
    const sample = [
      "import type { KbDocument } from '../kb/document.js';",
      "import {\n  a,\n  b,\n} from '../http/chat.js';",
      "export { c } from '../chat/sources.js';",
      "import '../cli/side-effect.js';",
      "const m = await import('../llm/answerer.js');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importSpecifiers(sample)).toEqual([
      '../kb/document.js',
      '../http/chat.js',
      '../chat/sources.js',
      '../cli/side-effect.js',
      '../llm/answerer.js',
      'zod',
    ]);
  });

  it('store imports nothing of ours but store, errors, config, text and contract (never kb, http or chat)', () => {
    const imports = importsOf('store');
    expect(imports.length).toBeGreaterThan(10);
    const outside = imports.filter((i) => !inside(i.target, ['store/', 'errors.ts', 'config.ts', 'text.ts', 'contract/']));
    expect(outside).toEqual([]);
    expect(imports.filter((i) => /^(kb|http|chat)\//.test(i.target))).toEqual([]);
  });

  it('limits imports nothing of ours but limits, errors and config', () => {
    const outside = importsOf('limits').filter((i) => !inside(i.target, ['limits/', 'errors.ts', 'config.ts']));
    expect(outside).toEqual([]);
  });

  it('contract (the wire shapes the page also bundles) imports nothing of ours but text', () => {
    const imports = importsOf('contract');
    expect(imports.filter((i) => !inside(i.target, ['contract/', 'text.ts']))).toEqual([]);
  });

  it('the check catches a store file that reaches up into kb', () => {
    const target = path.relative(SRC, path.resolve(path.join(SRC, 'store/pg'), '../../kb/document.ts'));
    expect(inside(target, ['store/', 'errors.ts', 'config.ts', 'text.ts', 'contract/'])).toBe(false);
  });
});
