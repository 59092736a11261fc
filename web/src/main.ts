import './styles.css';
import { ApiError, fetchCreators, getConversation, type CreatorSummary } from './api';
import { ConnectionLost, MalformedStream, StreamError, streamChat } from './chat-stream';
import { Composer, type Question } from './composer';
import { byId, el } from './dom';
import { HistoryPanel } from './history-panel';
import { newConversationId, session } from './session';
import { SignIn } from './sign-in';
import { TurnView, type Failure } from './turn-view';

const thread = byId('thread');
const welcome = byId('welcome');
const announcer = byId('announcer');

let creators = new Map<string, CreatorSummary>();
let conversationId: string | null = null;
let current: AbortController | null = null;

const creatorName = (slug: string | null) => (slug ? (creators.get(slug)?.name ?? null) : null);
const announce = (text: string) => (announcer.textContent = text);

const composer = new Composer({ onAsk: ask, onStop: stop });
const history = new HistoryPanel({
  token: () => session.token(),
  creatorName,
  onOpen: (id) => void openConversation(id),
  onDeleted: (id) => {
    if (id === conversationId) newChat();
  },
  onUnauthorized: () => signIn.expired(),
});
const signIn = new SignIn((signedIn) => history.show(signedIn));

function stop(): void {
  current?.abort();
}

function showWelcome(show: boolean): void {
  welcome.hidden = !show;
}

function newChat(): void {
  stop();
  thread.replaceChildren();
  conversationId = null;
  history.markActive(null);
  showWelcome(true);
  composer.focus();
}

/** Keeps the newest text in view while it streams, unless the reader scrolled up to read. */
function followStream(): void {
  const doc = document.documentElement;
  const nearBottom = window.innerHeight + window.scrollY >= doc.scrollHeight - 160;
  if (nearBottom) requestAnimationFrame(() => window.scrollTo({ top: doc.scrollHeight }));
}

function ask(q: Question): void {
  showWelcome(false);
  // Our own id from the first question: a retry after a failed first answer stays in this conversation.
  conversationId ??= newConversationId();
  const turn = new TurnView(q.query, q.creator?.name ?? null);
  thread.append(turn.root);
  turn.root.scrollIntoView({ block: 'nearest' });
  void run(turn, q);
}

async function run(turn: TurnView, q: Question): Promise<void> {
  stop();
  const abort = new AbortController();
  current = abort;
  composer.setBusy(true);
  try {
    const done = await streamChat(
      { query: q.query, creator: q.creator?.slug ?? null, conversation_id: conversationId, personality_weight: q.personalityWeight },
      {
        token: session.token(),
        signal: abort.signal,
        handlers: {
          onEventId: (id) => turn.noteEventId(id),
          onSources: (s) => turn.setSources(s),
          onToken: (t) => {
            turn.appendToken(t);
            followStream();
          },
          onReconnecting: (attempt) => {
            turn.reconnecting(attempt);
            if (attempt === 1) announce('Connection lost, reconnecting…');
          },
          onReconnected: () => turn.reconnected(),
        },
      },
    );
    if (!turn.root.isConnected) return;
    conversationId = done.conversation_id;
    if (done.finish_reason === 'client_closed') {
      // Resumed too late: the server had stopped the answer, keeping what it had written.
      turn.stopped();
      announce('Stopped.');
      return;
    }
    turn.finish(done);
    announce('The answer is complete.');
    if (session.token()) {
      history.markActive(conversationId);
      void history.load(true);
    }
  } catch (err) {
    if (abort.signal.aborted) {
      turn.stopped();
      announce('Stopped.');
    } else {
      turn.fail(describeFailure(err, q, () => retry(turn, q)));
      if (err instanceof ApiError && err.status === 401) signIn.expired();
    }
  } finally {
    if (current === abort) {
      current = null;
      composer.setBusy(false);
    }
  }
}

function retry(turn: TurnView, q: Question): void {
  turn.root.remove();
  ask(q);
}

/** What went wrong, said for people, and whether (and when) asking again can help. */
function describeFailure(err: unknown, q: Question, retry: () => void): Failure {
  if (err instanceof ApiError) {
    switch (err.status) {
      case 429:
        return {
          message:
            err.code === 'creator_rate_limited'
              ? `${q.creator?.name ?? 'This creator'} has had a lot of questions this hour. Ask without picking a creator, or wait.`
              : 'You have asked a lot of questions this hour.',
          retryAfter: err.retryAfter ?? 60,
          retry,
        };
      case 503:
        return { message: 'The service is busy for a moment.', retryAfter: err.retryAfter ?? 5, retry };
      case 401:
        return { message: 'Your sign-in token was not accepted. Sign in again, or sign out to ask without an account.', retry };
      case 404:
        if (err.code === 'unknown_creator') {
          void loadCreators();
          return { message: 'That creator is no longer in the knowledge base. Pick another one, or ask everyone.' };
        }
        if (err.code === 'conversation_not_found') return { message: 'This conversation is not available any more. Start a new chat to go on.' };
        return { message: err.message, retry };
      case 413:
      case 422: {
        const details = Array.isArray(err.body.details)
          ? (err.body.details as { field?: string; message?: string }[]).map((d) => `${d.field ?? ''} ${d.message ?? ''}`.trim())
          : [];
        return { message: `The question was not accepted${details.length ? `: ${details.join('; ')}` : '.'}` };
      }
      default:
        return { message: `The server could not answer (${err.message}).`, retry };
    }
  }
  if (err instanceof StreamError) return { message: `The answer stopped: ${err.message}.`, retry };
  if (err instanceof ConnectionLost) return { message: err.message, retry };
  if (err instanceof MalformedStream) {
    console.error('malformed event stream:', err.reason);
    return { message: `${err.message} Try again; if it keeps happening, reload the page.`, retry };
  }
  return { message: 'Something went wrong while answering.', retry };
}

async function openConversation(id: string): Promise<void> {
  const token = session.token();
  if (!token) return;
  stop();
  try {
    const { summary, turns } = await getConversation(token, id);
    const name = creatorName(summary.creator);
    thread.replaceChildren(...turns.map((t) => TurnView.stored(t, name).root));
    conversationId = summary.id;
    showWelcome(false);
    composer.pickCreator(summary.creator);
    history.markActive(id);
    composer.focus();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn.expired();
    const text = err instanceof ApiError && err.status === 404 ? 'That conversation no longer exists.' : 'That conversation could not be opened.';
    announce(text);
    thread.append(el('p', { className: 'notice', attrs: { role: 'alert' } }, text));
  }
}

async function loadCreators(): Promise<void> {
  const stats = byId('welcome-stats');
  try {
    const list = await fetchCreators();
    creators = new Map(list.map((c) => [c.slug, c]));
    composer.setCreators(list);
    const videos = list.reduce((n, c) => n + c.video_count, 0);
    stats.textContent = list.length ? `${list.length} creators · ${videos} videos` : 'The knowledge base is empty for now.';
  } catch {
    stats.textContent = 'The list of creators could not be loaded; you can still ask the whole knowledge base.';
  }
}

byId('new-chat').addEventListener('click', newChat);
for (const chip of byId('suggestions').querySelectorAll('button')) {
  chip.addEventListener('click', () => {
    composer.fill(chip.textContent ?? '');
    composer.requestSubmit();
  });
}

// History names each conversation's creator: list the creators first.
void loadCreators().finally(() => history.show(session.token() !== null));
