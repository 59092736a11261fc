import { ApiError, listConversations } from './api';
import { byId } from './dom';
import { session } from './session';

/** The token dialog: paste a token once, kept in this browser; or sign out. */
export class SignIn {
  private readonly dialog = byId<HTMLDialogElement>('token-dialog');
  private readonly form = byId<HTMLFormElement>('token-form');
  private readonly input = byId<HTMLInputElement>('token-input');
  private readonly error = byId('token-error');
  private readonly signOut = byId<HTMLButtonElement>('token-signout');
  private readonly account = byId<HTMLButtonElement>('account');

  constructor(private readonly onChange: (signedIn: boolean) => void) {
    this.account.addEventListener('click', () => this.open());
    byId('token-cancel').addEventListener('click', () => this.dialog.close());
    this.signOut.addEventListener('click', () => {
      session.clear();
      this.dialog.close();
      this.changed();
    });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    this.label();
  }

  open(message = ''): void {
    this.input.value = '';
    this.error.textContent = message;
    this.signOut.hidden = session.token() === null;
    this.dialog.showModal();
    this.input.focus();
  }

  /** The saved token was refused: sign out and say so. */
  expired(): void {
    session.clear();
    this.changed();
    this.open('Your token is no longer accepted. Paste a new one, or continue without signing in.');
  }

  private async save(): Promise<void> {
    const token = this.input.value.trim();
    if (!token) {
      this.error.textContent = 'Paste your API token first.';
      return;
    }
    try {
      await listConversations(token, null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.error.textContent = 'That token was not accepted. Check that it was copied whole.';
        return;
      }
      // Anything else (a network blip) says nothing about the token: keep it.
    }
    session.save(token);
    this.dialog.close();
    this.changed();
  }

  private changed(): void {
    this.label();
    this.onChange(session.token() !== null);
  }

  private label(): void {
    this.account.textContent = session.token() ? 'Account' : 'Sign in';
  }
}
