import { z } from 'zod';

/**
 * A string that PostgreSQL (and PGlite) can store: lone UTF-16 surrogates become U+FFFD, and a NUL
 * character, which a Postgres text value cannot hold, is refused by name instead of failing in SQL.
 */
export const text = (message?: string) =>
  z
    .string(message ? { error: message } : undefined)
    .overwrite((v) => v.toWellFormed())
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
