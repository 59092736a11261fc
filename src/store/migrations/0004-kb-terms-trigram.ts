export const name = '0004-kb-terms-trigram';

// Typo tolerance: a query word the knowledge base does not know is matched to the most similar
// lexeme it does know (pg_trgm similarity); this index keeps that lookup off a full scan.
export const sql = `
CREATE INDEX kb_terms_lexeme_trgm_idx ON kb_terms USING gin (lexeme gin_trgm_ops);
`;
