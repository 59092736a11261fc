import { readFile } from 'node:fs/promises';
import type { DocumentProblem } from './validate-document.js';

const BOM_ENCODINGS = [
  { bom: [0xff, 0xfe], encoding: 'utf-16le' },
  { bom: [0xfe, 0xff], encoding: 'utf-16be' },
] as const;

/**
 * A file of an import as text: UTF-8 (a byte order mark is dropped), or UTF-16 with its byte order
 * mark. Anything else is refused at the line of its first byte that is not UTF-8, rather than read
 * with U+FFFD where its accented letters were.
 */
export async function readText(file: string): Promise<{ text: string } | { problem: DocumentProblem }> {
  const bytes = await readFile(file);
  const marked = BOM_ENCODINGS.find(({ bom }) => bom.every((b, i) => bytes[i] === b));
  try {
    // fatal: a byte that is not of the encoding throws; the BOM is dropped (ignoreBOM is false).
    const text = new TextDecoder(marked?.encoding ?? 'utf-8', { fatal: true }).decode(bytes);
    if (!marked && looksLikeUtf16(bytes)) return { problem: { path: file, message: 'not UTF-8 text (it looks like UTF-16 without a byte order mark); save it as UTF-8' } };
    return { text };
  } catch {
    if (marked) return { problem: { path: file, message: `not ${marked.encoding.toUpperCase()} text although it starts with its byte order mark; save it as UTF-8` } };
    if (looksBinary(bytes)) return { problem: { path: file, message: 'not text (it looks like a binary file)' } };
    const at = firstNonUtf8Byte(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    const byte = bytes[at] ?? 0;
    const cp1252 = new TextDecoder('windows-1252').decode(bytes.subarray(at, at + 1));
    return {
      problem: {
        path: `${file}:${line}`,
        message: `not UTF-8 text (byte 0x${byte.toString(16).toUpperCase()}: it looks like Windows-1252, where it is "${cp1252}"); save it as UTF-8`,
      },
    };
  }
}

/** Text in any 8-bit encoding has next to no control characters but tab, CR and LF. */
function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  return head.filter((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f).length * 50 > head.length;
}

/** UTF-16 of mostly ASCII text is valid UTF-8 with every other byte a NUL. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  return head.length >= 4 && head.filter((b) => b === 0).length * 3 >= head.length;
}

/**
 * The offset of the first byte that is not UTF-8: the longest prefix a streaming decode accepts,
 * less the start of a sequence it holds back (0xE9 of "caf\xE9s" looked like the lead of three bytes).
 */
function firstNonUtf8Byte(bytes: Uint8Array): number {
  const decodes = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let ok = 0;
  let bad = bytes.length;
  while (bad - ok > 1) {
    const mid = (ok + bad) >> 1;
    if (decodes(mid)) ok = mid;
    else bad = mid;
  }
  return Buffer.byteLength(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, ok), { stream: true }));
}
