import { useState } from 'preact/hooks';
import type { BlacklistRecord } from '@optline/blacklist-client';
import { tryCanonicalPhone } from '@optline/core';
import { ApiError, call, enc } from '../api.ts';

/** An entry as the API answers it: the topic's record (extra fields, such as `source`, shown when present). */
export type BlacklistEntry = BlacklistRecord & { source?: string; actor?: string | null; reason?: string | null };

const when = (ms: number) => new Date(ms).toLocaleString();

/** Search one phone, in any form the API accepts (the core's canonical form is shown as you type). */
export function PhoneSearch({ project }: { project: string }) {
  const [phone, setPhone] = useState('');
  const [result, setResult] = useState<{ entry: BlacklistEntry | null; phone: string } | null>(null);
  const [problem, setProblem] = useState('');
  const canonical = phone.trim() === '' ? null : tryCanonicalPhone(phone);
  const search = async (e: Event) => {
    e.preventDefault();
    setProblem('');
    setResult(null);
    try {
      const { body } = await call<BlacklistEntry>('GET', `/v1/projects/${enc(project)}/blacklist/${enc(phone.trim())}`);
      setResult({ entry: body, phone: body.phone });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_blacklisted') setResult({ entry: null, phone: canonical?.ok ? canonical.phone : phone });
      else setProblem((error as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="search-title">
      <h2 id="search-title">Search a phone</h2>
      <form class="inline" onSubmit={search} role="search">
        <div class="field">
          <label for="search-phone">Phone</label>
          <input id="search-phone" type="search" value={phone} placeholder="+421 905 123 456" aria-describedby="search-canonical"
            onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
          <p id="search-canonical" class="counter">{canonical === null ? 'Any form: +421…, 421…, 00421…, with spaces or dashes.' : canonical.ok ? `Canonical: ${canonical.phone}` : canonical.error.message}</p>
        </div>
        <button type="submit" class="primary">Search</button>
      </form>
      {problem && <p role="alert" class="error">{problem}</p>}
      {result && (result.entry ? (
        <dl class="entry" aria-label="Blacklist entry">
          <dt>Phone</dt><dd>{result.entry.phone}</dd>
          <dt>Status</dt><dd><span class={`status ${result.entry.status}`}>{result.entry.status}</span></dd>
          <dt>Keyword</dt><dd>{result.entry.keyword || '—'}</dd>
          <dt>Message</dt><dd><code>{result.entry.message_id || '—'}</code></dd>
          <dt>Blocked</dt><dd>{when(result.entry.blocked_at)}</dd>
          <dt>Updated</dt><dd>{when(result.entry.updated_at)}</dd>
        </dl>
      ) : <p role="status">{result.phone} is not blacklisted in {project}.</p>)}
    </section>
  );
}

export function BlacklistPage({ project }: { project: string }) {
  return (
    <div>
      <h1>Blacklist <small>{project}</small></h1>
      <PhoneSearch project={project} />
    </div>
  );
}
