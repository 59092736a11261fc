import OpenAI from 'openai';

export interface LlmEndpoint {
  baseURL: string;
  apiKey: string | undefined;
}

/**
 * An SDK client that reads nothing from the environment (every option the SDK would take from
 * OPENAI_* variables is given), never retries (ours is the one retry policy: the fallback) and
 * never writes to the console.
 */
export function createOpenAiClient(endpoint: LlmEndpoint): OpenAI {
  return new OpenAI({
    baseURL: endpoint.baseURL,
    // Local OpenAI-compatible servers often need no key; the SDK insists on one.
    apiKey: endpoint.apiKey ?? 'unused',
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: 0,
    logLevel: 'off',
    fetch: streamingBodyFetch,
  });
}

/**
 * fetch, with a string body sent as a stream of its bytes (length given): Node's fetch keeps a
 * string body for the whole exchange (to replay it on a redirect), which for a streamed answer is
 * the whole prompt held for as long as the answer streams; a stream's bytes are let go once sent.
 * The SDK never needs a redirect replayed: OpenAI-compatible endpoints answer POSTs directly.
 */
export const streamingBodyFetch: typeof fetch = (input, init) => {
  if (typeof init?.body !== 'string') return fetch(input, init);
  let bytes: Uint8Array | null = new TextEncoder().encode(init.body);
  const headers = new Headers(init.headers);
  headers.set('content-length', String(bytes.byteLength));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (bytes) controller.enqueue(bytes);
      bytes = null;
      controller.close();
    },
  });
  return fetch(input, { ...init, headers, body, duplex: 'half' } as RequestInit);
};
