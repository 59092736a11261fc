import type { CreatorSummary } from './api';
import { byId, el } from './dom';

export interface Question {
  query: string;
  creator: CreatorSummary | null;
  personalityWeight: number;
}

/** The question box, the creator picker and the personality slider. */
export class Composer {
  private readonly form = byId<HTMLFormElement>('composer');
  private readonly input = byId<HTMLTextAreaElement>('question');
  private readonly send = byId<HTMLButtonElement>('send');
  private readonly stop = byId<HTMLButtonElement>('stop');
  private readonly creator = byId<HTMLSelectElement>('creator');
  private readonly personalityField = byId('personality-field');
  private readonly personality = byId<HTMLInputElement>('personality');
  private readonly personalityValue = byId<HTMLOutputElement>('personality-value');
  private creators = new Map<string, CreatorSummary>();

  constructor(handlers: { onAsk(q: Question): void; onStop(): void }) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit(handlers.onAsk);
    });
    this.input.addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a new line; an IME composing text keeps its Enter.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit(handlers.onAsk);
      }
    });
    this.input.addEventListener('input', () => this.autosize());
    this.stop.addEventListener('click', () => handlers.onStop());
    this.creator.addEventListener('change', () => this.showPersonality());
    this.personality.addEventListener('input', () => {
      this.personalityValue.textContent = Number(this.personality.value).toFixed(1);
    });
  }

  private submit(onAsk: (q: Question) => void): void {
    const query = this.input.value.trim();
    if (!query || this.send.hidden) return; // Busy: the text stays for later.
    const creator = this.selectedCreator();
    onAsk({ query, creator, personalityWeight: creator ? Number(this.personality.value) : 0 });
    this.input.value = '';
    this.autosize();
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }

  private showPersonality(): void {
    this.personalityField.hidden = this.creator.value === '';
  }

  selectedCreator(): CreatorSummary | null {
    return this.creators.get(this.creator.value) ?? null;
  }

  setCreators(creators: CreatorSummary[]): void {
    this.creators = new Map(creators.map((c) => [c.slug, c]));
    const options = creators.map((c) => el('option', { attrs: { value: c.slug } }, c.name));
    this.creator.replaceChildren(el('option', { attrs: { value: '' } }, 'All creators'), ...options);
  }

  /** Picks a creator by slug (a reopened conversation's); unknown slugs fall back to all creators. */
  pickCreator(slug: string | null): void {
    this.creator.value = slug && this.creators.has(slug) ? slug : '';
    this.showPersonality();
  }

  /** While an answer streams, Send becomes Stop. */
  setBusy(busy: boolean): void {
    this.send.hidden = busy;
    this.stop.hidden = !busy;
    if (!busy && document.activeElement === this.stop) this.input.focus();
  }

  fill(query: string): void {
    this.input.value = query;
    this.autosize();
  }

  focus(): void {
    this.input.focus();
  }

  requestSubmit(): void {
    this.form.requestSubmit();
  }
}
