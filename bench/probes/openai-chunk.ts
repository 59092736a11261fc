/** One `chat.completion.chunk` of an OpenAI-compatible stream as its SSE bytes, for the probes' own servers. */
export const openAiChunk = (text: string, finish: string | null): string =>
  `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: finish }] })}\n\n`;
