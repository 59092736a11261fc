/** The fake OpenAI-compatible LLM (bench/fake-llm.ts) in a process of its own; the parent sets its reply. */
import { startFakeLlm, type FakeReply } from '../fake-llm.js';
import { serveParent } from '../lib/child-side.js';

const fake = await startFakeLlm();
// The fake keeps a record of every request (with its prompt); a benchmark makes tens of thousands.
setInterval(() => {
  if (fake.requests.length > 1000) fake.requests.length = 0;
}, 1000).unref();

serveParent(
  fake.baseUrl,
  {
    reply: (reply) => {
      fake.reset(reply as FakeReply);
      return null;
    },
    open: () => fake.requests.filter((r) => r.endedAt === null).length,
  },
  () => fake.close(),
);
