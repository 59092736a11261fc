/** Chat requests over the demo knowledge base (loaded by the service on first start), some for one creator. */
const QUESTIONS: { query: string; creator?: string }[] = [
  { query: 'How do I make a techno kick punchy?' },
  { query: 'How should I detune a reese bass?', creator: 'kaito-brooks' },
  { query: 'Where does the de-esser go in a vocal chain?' },
  { query: 'How long should reverb pre-delay be?', creator: 'sol-ferreira' },
  { query: 'How do I chop string stabs from a disco record?' },
  { query: 'How do I make boom-bap drums knock?', creator: 'juno-achebe' },
  { query: 'How do I voice string pads under dialogue?' },
  { query: 'sidechain compression on the bass' },
];

/** The JSON body of the i-th benchmark chat. */
export function chatBody(i: number): string {
  const q = QUESTIONS[i % QUESTIONS.length]!;
  return JSON.stringify({ query: q.query, creator: q.creator ?? null });
}

/** An answer of exactly n word tokens, citing the first source as a model would. */
export function answerTokens(n: number): string[] {
  const words = 'Start with a short attack and a medium release so the transient stays intact while the body is controlled'.split(' ');
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? '[1].' : `${words[i % words.length]} `));
}
