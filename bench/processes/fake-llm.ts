/** The fake OpenAI-compatible LLM (bench/fake-llm.ts) in a process of its own; the parent sets its reply. */
import { startFakeLlm, type FakeReply } from '../fake-llm.js';
import { serveParent } from '../lib/child-side.js';

const fake = await startFakeLlm();
// The fake keeps a record of every request (with its prompt); a benchmark makes tens of thousands.
setInterval(() => {
  if (fake.requests.length > 1000) fake.requests.length = 0;
}, 1000).unref();

let current: FakeReply = {};

serveParent(
  fake.baseUrl,
  {
    /** Sets the reply; answers the one it replaces, so that a warm-up can put it back. */
    reply: (reply) => {
      const previous = current;
      current = reply as FakeReply;
      fake.reset(current);
      return previous;
    },
    open: () => fake.requests.filter((r) => r.endedAt === null).length,
  },
  () => fake.close(),
);
