import { ApiError, deleteConversation, listConversations, type ConversationSummary } from './api';
import { byId, el } from './dom';
import { relativeDate } from './format';

export interface HistoryHandlers {
  token(): string | null;
  creatorName(slug: string | null): string | null;
  onOpen(id: string): void;
  onDeleted(id: string): void;
  onUnauthorized(): void;
}

/** A signed-in user's past conversations: newest first, reopen, delete, older pages on demand. */
export class HistoryPanel {
  private readonly panel = byId('history');
  private readonly list = byId<HTMLUListElement>('history-list');
  private readonly note = byId('history-note');
  private readonly more = byId<HTMLButtonElement>('history-more');
  private readonly toggle = byId<HTMLButtonElement>('history-toggle');
  private cursor: string | null = null;
  private activeId: string | null = null;

  constructor(private readonly handlers: HistoryHandlers) {
    this.toggle.addEventListener('click', () => this.setOpen(!this.panel.classList.contains('open')));
    byId('history-close').addEventListener('click', () => this.setOpen(false));
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.panel.classList.contains('open')) this.setOpen(false);
    });
    this.more.addEventListener('click', () => void this.load(false));
  }

  /** The drawer of narrow screens; on wide ones the panel is always in view. */
  setOpen(open: boolean): void {
    this.panel.classList.toggle('open', open);
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) this.panel.querySelector<HTMLElement>('button, a')?.focus();
    else if (this.panel.contains(document.activeElement)) this.toggle.focus();
  }

  show(signedIn: boolean): void {
    this.panel.hidden = !signedIn;
    this.toggle.hidden = !signedIn;
    document.body.classList.toggle('signed-in', signedIn);
    if (signedIn) void this.load(true);
    else this.list.replaceChildren();
  }

  markActive(id: string | null): void {
    this.activeId = id;
    for (const li of this.list.querySelectorAll<HTMLElement>('li[data-id]')) {
      const open = li.querySelector('.history-open');
      if (li.dataset.id === id) open?.setAttribute('aria-current', 'true');
      else open?.removeAttribute('aria-current');
    }
  }

  async load(fromStart: boolean): Promise<void> {
    const token = this.handlers.token();
    if (!token) return;
    if (fromStart) this.cursor = null;
    try {
      const page = await listConversations(token, this.cursor);
      const items = page.conversations.map((c) => this.item(c));
      if (fromStart) this.list.replaceChildren(...items);
      else this.list.append(...items);
      this.cursor = page.next_cursor;
      this.more.hidden = page.next_cursor === null;
      this.note.textContent = this.list.childElementCount === 0 ? 'Your conversations will appear here.' : '';
      this.markActive(this.activeId);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return this.handlers.onUnauthorized();
      this.note.textContent = `Past conversations could not be loaded${err instanceof ApiError ? `: ${err.message}` : '.'}`;
    }
  }

  private item(c: ConversationSummary): HTMLLIElement {
    const creator = this.handlers.creatorName(c.creator);
    const turns = c.turn_count === 1 ? '1 question' : `${c.turn_count} questions`;
    const open = el(
      'button',
      { className: 'history-open', attrs: { type: 'button' } },
      el('span', { className: 'history-title' }, c.title || 'Untitled'),
      el('span', { className: 'history-meta' }, [creator, turns, relativeDate(c.updated_at)].filter(Boolean).join(' · ')),
    );
    open.addEventListener('click', () => {
      this.handlers.onOpen(c.id);
      this.setOpen(false);
    });
    const del = el('button', { className: 'history-delete', attrs: { type: 'button' } });
    const arm = (on: boolean) => {
      del.textContent = on ? 'Sure?' : 'Delete';
      del.setAttribute('aria-label', on ? `Confirm: delete “${c.title}” for good` : `Delete “${c.title}”`);
      del.classList.toggle('armed', on);
    };
    arm(false);
    let armed = 0;
    del.addEventListener('click', () => {
      // Two clicks to delete: nothing can bring a deleted conversation back.
      if (!armed) {
        arm(true);
        armed = window.setTimeout(() => {
          armed = 0;
          arm(false);
        }, 4000);
        return;
      }
      window.clearTimeout(armed);
      void this.remove(c.id, li);
    });
    const li = el('li', { attrs: { 'data-id': c.id } }, open, del);
    return li;
  }

  private async remove(id: string, li: HTMLLIElement): Promise<void> {
    const token = this.handlers.token();
    if (!token) return;
    try {
      await deleteConversation(token, id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return this.handlers.onUnauthorized();
      // Already gone is what was asked for.
      if (!(err instanceof ApiError && err.status === 404)) {
        this.note.textContent = 'That conversation could not be deleted. Try again in a moment.';
        return;
      }
    }
    li.remove();
    if (this.list.childElementCount === 0) this.note.textContent = 'Your conversations will appear here.';
    this.handlers.onDeleted(id);
  }
}
