// The question's lexemes with their document frequency; for a word no passage holds, the known
// lexemes that share enough trigrams with it (the kb_terms trigram index answers `%`), and, for
// the word as typed (4+ letters), the words one edit from it whose stem a passage holds ($2: JSON
// [{word, variants}], variants space-separated; only unknown words' variants are stemmed), and the
// other ways the knowledge base may write a compound ($3: adjacent word pairs, $4: a word's
// splits, both JSON [{a, b}]).
//
// The lists come as JSON, not arrays, so that the statement's plan does not depend on their
// lengths: the planner sizes `unnest` of a constant array by its length, and custom plans, which
// see it, looked cheaper than the generic one, so each run was planned again (half the
// statement's cost). A JSON record set is sized the same with and without the values: after five
// runs, PostgreSQL keeps the generic plan of the named statement.
export const TERMS_SQL = `
WITH terms AS MATERIALIZED (
  -- Every document frequency is read by one primary-key lookup (a scalar subquery, in CTEs
  -- materialized so that each runs once): joined, kb_terms would be read whole for a hash join,
  -- which the planner costs lower on a small knowledge base (and takes ten times longer).
  SELECT u.lexeme, u.positions, (SELECT k.ndoc FROM kb_terms k WHERE k.lexeme = u.lexeme) AS ndoc
  FROM unnest(to_tsvector('english', $1)) AS u
),
typed AS MATERIALIZED (
  SELECT w.word, w.variants, l.stem, (SELECT k.ndoc FROM kb_terms k WHERE k.lexeme = l.stem) AS ndoc
  FROM json_to_recordset($2::json) AS w(word text, variants text)
  CROSS JOIN LATERAL (SELECT (ts_lexize('english_stem', w.word))[1] AS stem) l
),
variants AS MATERIALIZED (
  -- The variants of each typed word no passage holds, stemmed.
  SELECT w.stem, v.word, s.lexeme, (SELECT kt.ndoc FROM kb_terms kt WHERE kt.lexeme = s.lexeme) AS ndoc
  FROM typed w
  CROSS JOIN LATERAL unnest(string_to_array(w.variants, ' ')) AS v(word)
  CROSS JOIN LATERAL unnest(ts_lexize('english_stem', v.word)) AS s(lexeme)
  WHERE w.stem IS NOT NULL AND w.ndoc IS NULL
),
fixes AS (
  SELECT v.stem, json_agg(json_build_object('word', v.word, 'lexeme', v.lexeme, 'ndoc', v.ndoc)) AS fixes
  FROM variants v
  WHERE v.ndoc IS NOT NULL
  GROUP BY v.stem
),
pairs AS MATERIALIZED (
  -- Two adjacent words written as one by the knowledge base ("side chain", "side-chain": 'sidechain').
  SELECT l.la, l.lb, l.lj, l.lh, (SELECT k.ndoc FROM kb_terms k WHERE k.lexeme = l.lj) AS ndoc
  FROM json_to_recordset($3::json) AS pr(a text, b text)
  CROSS JOIN LATERAL (SELECT (ts_lexize('english_stem', pr.a))[1] AS la, (ts_lexize('english_stem', pr.b))[1] AS lb,
    (ts_lexize('english_stem', pr.a || pr.b))[1] AS lj, (ts_lexize('english_stem', pr.a || '-' || pr.b))[1] AS lh) l
  WHERE l.la IS NOT NULL AND l.lb IS NOT NULL
),
joined AS (
  SELECT p.la || ' ' || p.lb AS key, p.lh AS hyphenated, ARRAY[p.lj] AS lexemes, p.ndoc FROM pairs p WHERE p.ndoc IS NOT NULL
),
splits AS MATERIALIZED (
  -- One word written as two ("sidechain": 'side' <-> 'chain'), both parts known.
  SELECT l.lw, l.la, l.lb, (SELECT k.ndoc FROM kb_terms k WHERE k.lexeme = l.la) AS na,
    (SELECT k.ndoc FROM kb_terms k WHERE k.lexeme = l.lb) AS nb
  FROM json_to_recordset($4::json) AS sp(a text, b text)
  CROSS JOIN LATERAL (SELECT (ts_lexize('english_stem', sp.a || sp.b))[1] AS lw, (ts_lexize('english_stem', sp.a))[1] AS la,
    (ts_lexize('english_stem', sp.b))[1] AS lb) l
  WHERE l.lw IS NOT NULL
),
split AS (
  SELECT s.lw AS key, ARRAY[s.la, s.lb] AS lexemes, least(s.na, s.nb) AS ndoc FROM splits s WHERE s.na IS NOT NULL AND s.nb IS NOT NULL
),
compounds AS (
  SELECT json_agg(json_build_object('key', c.key, 'lexemes', c.lexemes, 'ndoc', c.ndoc)) AS list
  FROM (SELECT key, lexemes, ndoc FROM joined UNION SELECT hyphenated, lexemes, ndoc FROM joined WHERE hyphenated IS NOT NULL
        UNION SELECT key, lexemes, ndoc FROM split) c
)
SELECT t.lexeme, t.positions::int[] AS positions, coalesce(t.ndoc, 0)::int AS ndoc,
  (SELECT list FROM compounds) AS compounds,
  coalesce(c.candidates, '[]'::json) AS candidates,
  (SELECT min(ty.word) FROM typed ty WHERE ty.stem = t.lexeme) AS typed,
  coalesce(f.fixes, '[]'::json) AS fixes,
  coalesce((SELECT value FROM kb_stats WHERE key = 'passages'), 0)::int AS total
FROM terms t
LEFT JOIN fixes f ON f.stem = t.lexeme
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object('lexeme', s.lexeme, 'ndoc', s.ndoc, 'similarity', s.sim) ORDER BY s.sim DESC, s.ndoc DESC, s.lexeme) AS candidates
  FROM (
    SELECT kt.lexeme, kt.ndoc, similarity(kt.lexeme, t.lexeme)::float8 AS sim
    FROM kb_terms kt
    -- ndoc > 0 (always true) lets the trigram index, a partial one, serve this lookup (migration 0007).
    WHERE t.ndoc IS NULL AND char_length(t.lexeme) >= 4 AND kt.lexeme % t.lexeme AND kt.ndoc > 0
    ORDER BY sim DESC, kt.ndoc DESC, kt.lexeme
    LIMIT 5
  ) s
) c ON true`;
