// The console's one way to the API: the token from session storage as the Bearer header, JSON
// in and out, refusals as ApiError with the API's own code, message and fields.

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'optline.apiToken';
const listeners = new Set<() => void>();

/** The API token lives in session storage: gone when the tab closes, never in a cookie. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  logIn(token: string) {
    sessionStorage.setItem(TOKEN_KEY, token);
    listeners.forEach((l) => l());
  },
  logOut() {
    sessionStorage.clear();
    listeners.forEach((l) => l());
  },
  onChange(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string } = {}): Promise<Answer<T>> {
  const token = options.token ?? session.token();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  } catch (error) {
    throw new ApiError(0, 'network', `the API did not answer (${(error as Error).message})`);
  }
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string; fields?: FieldError[] } })?.error;
    // A token the API no longer accepts ends the session, wherever it was used.
    if (res.status === 401 && options.token === undefined) session.logOut();
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `${res.status} ${res.statusText}`, error?.fields ?? []);
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export const enc = encodeURIComponent;
