// The HTTP client: JSON in and out, errors as ApiError with the server's stable code, and the
// session (access token, refresh token when the server gives one) kept in localStorage and
// refreshed before it expires, so the user never notices.
import type { LoginResponse, User } from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Session {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  user: User;
}

const STORAGE_KEY = 'fluxgate.session';
/** Refresh this long before expiry. */
const REFRESH_MARGIN_MS = 60_000;

export class ApiClient {
  private session: Session | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<(s: Session | undefined) => void>();

  constructor(
    private readonly base = '',
    private readonly store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = window.localStorage,
  ) {
    try {
      const raw = store.getItem(STORAGE_KEY);
      if (raw) this.session = JSON.parse(raw) as Session;
    } catch {
      this.session = undefined;
    }
  }

  get current(): Session | undefined {
    return this.session;
  }

  onSession(fn: (s: Session | undefined) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private setSession(s: Session | undefined): void {
    this.session = s;
    if (s) this.store.setItem(STORAGE_KEY, JSON.stringify(s));
    else this.store.removeItem(STORAGE_KEY);
    for (const fn of this.listeners) fn(s);
  }

  private fromLogin(r: LoginResponse): Session {
    const s: Session = { accessToken: r.access_token, expiresAt: Date.now() + r.expires_in * 1000, user: r.user };
    const refresh = r.refresh_token ?? this.session?.refreshToken;
    if (refresh) s.refreshToken = refresh;
    return s;
  }

  async login(username: string, password: string): Promise<Session> {
    const r = await this.raw<LoginResponse>('POST', '/api/v1/auth/login', { username, password }, false);
    const s = this.fromLogin(r);
    this.setSession(s);
    return s;
  }

  async register(username: string, password: string, email?: string): Promise<void> {
    await this.raw('POST', '/api/v1/auth/register', email ? { username, password, email } : { username, password }, false);
  }

  async logout(): Promise<void> {
    const s = this.session;
    this.setSession(undefined);
    if (s) {
      // Revokes the refresh token where the server supports it; the local session is gone either way.
      await fetch(`${this.base}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(s.refreshToken ? { refresh_token: s.refreshToken } : {}),
      }).catch(() => undefined);
    }
  }

  /** A valid access token, refreshed first when it is about to expire; undefined when logged out. */
  async token(): Promise<string | undefined> {
    const s = this.session;
    if (!s) return undefined;
    if (s.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
    return this.session?.accessToken;
  }

  /** Trades the refresh token for a new pair; false (and logged out) when that is not possible. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const s = this.session;
      if (!s?.refreshToken) {
        if (s && s.expiresAt <= Date.now()) this.setSession(undefined);
        return false;
      }
      try {
        const r = await this.raw<LoginResponse>('POST', '/api/v1/auth/refresh', { refresh_token: s.refreshToken }, false);
        this.setSession(this.fromLogin(r));
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status < 500) this.setSession(undefined);
        return false;
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  del<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.raw<T>(method, path, body, true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && this.session && (await this.refresh())) {
        return this.raw<T>(method, path, body, true);
      }
      if (err instanceof ApiError && err.status === 401) this.setSession(undefined);
      throw err;
    }
  }

  /** Uploads one file as multipart/form-data in the field `field`, with the bearer token. */
  async upload<T>(path: string, file: Blob, name: string, field = 'file'): Promise<T> {
    const token = await this.token();
    if (!token) throw new ApiError(401, 'NOT_LOGGED_IN', 'You are not logged in');
    const form = new FormData();
    form.append(field, file, name);
    const res = await fetch(this.base + path, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    if (!res.ok) throw await toError(res);
    return (await res.json()) as T;
  }

  /** A download that needs the bearer token (a plain link cannot send it). */
  async blob(path: string): Promise<Blob> {
    const token = await this.token();
    const res = await fetch(this.base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw await toError(res);
    return res.blob();
  }

  private async raw<T>(method: string, path: string, body: unknown, auth: boolean): Promise<T> {
    const headers: Record<string, string> = {};
    if (auth) {
      const token = await this.token();
      // Logged out (or logging out) while a component still asks: fail here, not with a 401 on the wire.
      if (!token) throw new ApiError(401, 'NOT_LOGGED_IN', 'You are not logged in');
      headers.authorization = `Bearer ${token}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw await toError(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.code) return new ApiError(res.status, body.error.code, body.error.message ?? res.statusText, body.error.details);
  } catch {
    // not a JSON error body
  }
  return new ApiError(res.status, `HTTP_${res.status}`, res.statusText || `HTTP ${res.status}`);
}
