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
  });
}
