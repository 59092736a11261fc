import type { CascadeTier, DonePayload, Source, StoredTurn } from './api';
import { el } from './dom';
import { clockAfter, waitText } from './format';
import { renderAnswer } from './render-answer';
import { sourceList } from './source-cards';

export type TurnState = 'waiting' | 'streaming' | 'done' | 'error' | 'stopped';

export interface Failure {
  message: string;
  /** Seconds until asking again can succeed (a 429 or 503); the retry button waits that long. */
  retryAfter?: number | null;
  retry?: () => void;
}

function tierLabel(tier: CascadeTier, creatorName: string | null): { text: string; title: string } {
  switch (tier) {
    case 'creator':
      return { text: creatorName ?? 'Chosen creator', title: "Answered from the chosen creator's own videos" };
    case 'domain':
      return { text: 'Related creators', title: 'The chosen creator has nothing on this; answered from creators in the same genres' };
    case 'global':
      return { text: 'Whole knowledge base', title: 'Answered from every creator in the knowledge base' };
    default:
      return { text: 'Not in the knowledge base', title: 'No passage in the knowledge base matches this question' };
  }
}

/** One question and its answer in the thread, from the first byte to done, error or stop. */
export class TurnView {
  readonly root: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly answer: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly sourcesSlot: HTMLElement;
  private text = '';
  private sources: Source[] = [];
  private frame = 0;
  private countdown = 0;

  constructor(
    readonly query: string,
    private readonly creatorName: string | null,
  ) {
    this.meta = el('div', { className: 'turn-meta' }, el('span', { className: 'pending' }, 'Searching the knowledge base…'));
    this.answer = el('div', { className: 'answer' });
    this.alert = el('div', { className: 'turn-alert', attrs: { role: 'alert' } });
    this.alert.hidden = true;
    this.sourcesSlot = el('div', { className: 'sources-slot' });
    this.root = el(
      'article',
      { className: 'turn', attrs: { 'data-state': 'waiting' } },
      el('div', { className: 'question' }, el('h2', { className: 'visually-hidden' }, 'You asked'), el('p', {}, query)),
      el('div', { className: 'reply' }, this.meta, this.answer, this.alert, this.sourcesSlot),
    );
    // A citation lights up its source card while it is pointed at or focused.
    const light = (e: Event, on: boolean) => {
      const cite = e.target instanceof Element ? e.target.closest<HTMLElement>('.cite') : null;
      if (cite) this.sourcesSlot.querySelector(`[data-source="${cite.dataset.source}"]`)?.classList.toggle('lit', on);
    };
    this.answer.addEventListener('mouseover', (e) => light(e, true));
    this.answer.addEventListener('mouseout', (e) => light(e, false));
    this.answer.addEventListener('focusin', (e) => light(e, true));
    this.answer.addEventListener('focusout', (e) => light(e, false));
  }

  get state(): TurnState {
    return this.root.dataset.state as TurnState;
  }

  private setState(state: TurnState): void {
    this.root.dataset.state = state;
  }

  /** Event ids are `<message_id>:<seq>`: the message id names the stored turn. */
  noteEventId(id: string): void {
    const cut = id.lastIndexOf(':');
    this.root.dataset.messageId = cut > 0 ? id.slice(0, cut) : id;
  }

  setSources(sources: Source[]): void {
    this.sources = sources;
    this.sourcesSlot.replaceChildren(sourceList(sources) ?? '');
    this.meta.replaceChildren(el('span', { className: 'pending' }, 'Writing the answer…'));
  }

  /** The connection dropped: the answer is being picked up again. */
  reconnecting(attempt: number): void {
    this.root.dataset.reconnecting = String(attempt);
    this.meta.replaceChildren(el('span', { className: 'pending reconnecting', attrs: { role: 'status' } }, 'Connection lost, reconnecting…'));
  }

  reconnected(): void {
    delete this.root.dataset.reconnecting;
    this.meta.replaceChildren(el('span', { className: 'pending' }, 'Writing the answer…'));
  }

  appendToken(text: string): void {
    this.text += text;
    this.setState('streaming');
    // Tokens can come faster than frames: render at most once per frame.
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    renderAnswer(this.answer, this.text, this.sources);
  }

  finish(done: Pick<DonePayload, 'cascade_tier' | 'model' | 'fallback_used'>): void {
    this.render();
    this.setState('done');
    const tier = tierLabel(done.cascade_tier, this.creatorName);
    const badge = el('span', { className: 'tier', attrs: { 'data-tier': done.cascade_tier, title: tier.title } }, tier.text);
    const model = done.model === 'extractive' ? 'quoted from the sources' : `written by ${done.model}`;
    this.meta.replaceChildren(
      badge,
      el('span', { className: 'model' }, done.fallback_used ? `${model} (fallback model)` : model),
    );
  }

  /** A turn reopened from history: everything at once, and how it ended if not well. */
  static stored(turn: StoredTurn, creatorName: string | null): TurnView {
    const view = new TurnView(turn.query, creatorName);
    view.setSources(turn.sources);
    view.text = turn.answer;
    if (turn.finish_reason === 'client_closed') view.stopped();
    else if (turn.finish_reason === 'error') view.fail({ message: 'This answer failed part-way.' });
    else if (turn.cascade_tier) view.finish({ cascade_tier: turn.cascade_tier, model: turn.model ?? 'unknown', fallback_used: false });
    else {
      view.render();
      view.setState('done');
    }
    return view;
  }

  stopped(): void {
    this.render();
    this.setState('stopped');
    this.meta.replaceChildren(el('span', { className: 'pending' }, this.text ? 'Stopped. The answer so far is kept.' : 'Stopped.'));
  }

  fail(failure: Failure): void {
    this.render();
    this.setState('error');
    this.meta.replaceChildren();
    const message = el('p', { className: 'turn-alert-text' }, failure.message);
    const button = failure.retry ? el('button', { className: 'btn btn-quiet', attrs: { type: 'button' } }, 'Try again') : null;
    if (button && failure.retry) button.addEventListener('click', failure.retry, { once: true });
    this.alert.replaceChildren(message, button ?? '');
    this.alert.hidden = false;
    if (failure.retryAfter && failure.retryAfter > 0) this.countDown(message, button, failure.message, failure.retryAfter);
  }

  /** Says when asking again can work, and keeps the retry button off until then. */
  private countDown(target: HTMLElement, button: HTMLButtonElement | null, message: string, seconds: number): void {
    const until = Date.now() + seconds * 1000;
    const at = clockAfter(seconds);
    const tick = () => {
      const left = (until - Date.now()) / 1000;
      if (left <= 0 || !this.root.isConnected) {
        window.clearInterval(this.countdown);
        target.textContent = `${message} You can ask again now.`;
        if (button) button.disabled = false;
        return;
      }
      target.textContent = `${message} You can ask again in ${waitText(left)} (at ${at}).`;
      if (button) button.disabled = true;
    };
    tick();
    this.countdown = window.setInterval(tick, 1000);
  }
}
