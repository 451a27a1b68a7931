import { useEffect, useState } from 'preact/hooks';
import type { BlacklistRecord } from '@optline/blacklist-client';
import { tryCanonicalPhone } from '@optline/core';
import { ApiError, call, enc, session } from '../api.ts';

/** An entry as the API answers it: the topic's record with its source and, for manual changes, who and why. */
export type BlacklistEntry = BlacklistRecord & { source?: string; actor?: string | null; reason?: string | null };

interface Change {
  at: number;
  kind: string;
  status: string | null;
  source?: string | null;
  message_id?: string | null;
  body?: string | null;
  keyword?: string | null;
  settings_version?: number | null;
  actor?: string | null;
  reason?: string | null;
}

const when = (ms: number) => new Date(ms).toLocaleString();
/** Who changed an entry by hand, as the API records it (X-Optline-Actor). */
const ACTOR = { 'x-optline-actor': 'console' };

function History({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p class="meta">No changes recorded for this phone.</p>;
  return (
    <div class="table-wrap">
      <table id="history">
        <caption>History, oldest first</caption>
        <thead><tr><th scope="col">when</th><th scope="col">what</th><th scope="col">status after</th><th scope="col">explained by</th></tr></thead>
        <tbody>
          {changes.map((c, i) => (
            <tr key={i}>
              <td>{when(c.at)}</td>
              <td>{c.kind.replace(/_/g, ' ')}</td>
              <td>{c.status ?? 'not listed'}</td>
              <td>{[
                c.keyword && `keyword “${c.keyword}”`, c.body && `“${c.body}”`, c.message_id && `message ${c.message_id}`,
                c.settings_version != null && `settings v${c.settings_version}`, c.actor && `by ${c.actor}`, c.reason && `reason: ${c.reason}`,
              ].filter(Boolean).join(' · ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Search one phone (any form the API accepts), its entry and history; block or clear it by hand. */
export function PhoneSearch({ project, onChanged }: { project: string; onChanged: () => void }) {
  const [phone, setPhone] = useState('');
  const [found, setFound] = useState<{ phone: string; entry: BlacklistEntry | null; changes: Change[] } | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState('');
  const [notice, setNotice] = useState('');
  const canonical = phone.trim() === '' ? null : tryCanonicalPhone(phone);
  const base = (p: string) => `/v1/projects/${enc(project)}/blacklist/${enc(p)}`;

  const lookUp = async (p: string) => {
    setProblem('');
    try {
      const entry = await call<BlacklistEntry>('GET', base(p)).then((a) => a.body, (e) => {
        if (e instanceof ApiError && e.code === 'not_blacklisted') return null;
        throw e;
      });
      const history = await call<{ phone: string; changes: Change[] }>('GET', `${base(p)}/history`);
      setFound({ phone: history.body.phone, entry, changes: history.body.changes });
    } catch (error) {
      setFound(null);
      setProblem((error as Error).message);
    }
  };
  const change = async (method: 'PUT' | 'DELETE') => {
    if (!found) return;
    setNotice('');
    setProblem('');
    try {
      const answer = method === 'PUT'
        ? await call('PUT', base(found.phone), { body: { reason }, headers: ACTOR })
        : await call('DELETE', `${base(found.phone)}?reason=${enc(reason)}`, { headers: ACTOR });
      setNotice(answer.status === 202 ? 'Accepted; the change is on its way to the blacklist.' : method === 'PUT' ? 'Blocked.' : 'Cleared.');
      setReason('');
      await lookUp(found.phone);
      onChanged();
    } catch (error) {
      setProblem((error as Error).message);
    }
  };
  return (
    <section class="card">
      <h2>Search a phone</h2>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void lookUp(phone.trim()); }} role="search">
        <div class="field">
          <label for="search-phone">Phone</label>
          <input id="search-phone" type="search" value={phone} placeholder="+421 905 123 456" aria-describedby="search-canonical"
            onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
          <p id="search-canonical" class="counter">{canonical === null ? 'Any form: +421…, 421…, 00421…, with spaces or dashes.' : canonical.ok ? `Canonical: ${canonical.phone}` : canonical.error.message}</p>
        </div>
        <button type="submit" class="primary">Search</button>
      </form>
      {problem && <p role="alert" class="error" id="blacklist-problem">{problem}</p>}
      {found && (
        <div class="found">
          {found.entry ? (
            <dl class="entry" aria-label="Blacklist entry">
              <dt>Phone</dt><dd>{found.entry.phone}</dd>
              <dt>Status</dt><dd><span class={`status ${found.entry.status}`} id="entry-status">{found.entry.status}</span></dd>
              <dt>Source</dt><dd>{found.entry.source ?? 'keyword'}{found.entry.actor ? ` (by ${found.entry.actor}${found.entry.reason ? `: ${found.entry.reason}` : ''})` : ''}</dd>
              <dt>Keyword</dt><dd>{found.entry.keyword || '—'}</dd>
              <dt>Message</dt><dd><code>{found.entry.message_id || '—'}</code></dd>
              <dt>Blocked</dt><dd>{when(found.entry.blocked_at)}</dd>
              <dt>Updated</dt><dd>{when(found.entry.updated_at)}</dd>
            </dl>
          ) : <p role="status" id="entry-status">{found.phone} is not blacklisted in {project}.</p>}
          <form class="inline" onSubmit={(e) => e.preventDefault()}>
            <div class="field">
              <label for="change-reason">Reason</label>
              <input id="change-reason" type="text" value={reason} maxLength={500} placeholder="e.g. asked by phone on 1 Dec" onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            </div>
            {found.entry ? <button type="button" onClick={() => void change('DELETE')}>Clear</button> : <button type="button" onClick={() => void change('PUT')}>Block</button>}
          </form>
          {notice && <p class="notice" role="status">{notice}</p>}
          <History changes={found.changes} />
        </div>
      )}
    </section>
  );
}

const PAGE_SIZE = 25;

/** The list, a page at a time in phone order, filtered by status; and every entry as CSV. */
function EntryList({ project, version }: { project: string; version: number }) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<{ entries: BlacklistEntry[]; next_cursor: string | null } | null>(null);
  const [problem, setProblem] = useState('');
  const cursor = cursors[cursors.length - 1] ?? null;
  useEffect(() => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    call<{ entries: BlacklistEntry[]; next_cursor: string | null }>('GET', `/v1/projects/${enc(project)}/blacklist?${q}`)
      .then((a) => { setPage(a.body); setProblem(''); }, (e: Error) => setProblem(e.message));
  }, [project, status, cursor, version]);

  const exportCsv = async () => {
    const res = await fetch(`/v1/projects/${enc(project)}/blacklist`, { headers: { accept: 'text/csv', authorization: `Bearer ${session.token()}` } });
    if (!res.ok) return setProblem(`export: ${res.status} ${res.statusText}`);
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `blacklist-${project}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <section class="card">
      <h2>Entries</h2>
      <div class="inline toolbar">
        <div class="field">
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => { setStatus((e.target as HTMLSelectElement).value); setCursors([null]); }}>
            <option value="">All</option>
            <option value="BLOCKED">BLOCKED</option>
            <option value="CONSENT_TRACKED">CONSENT_TRACKED</option>
          </select>
        </div>
        <button type="button" onClick={() => void exportCsv()}>Export CSV</button>
      </div>
      {problem && <p role="alert" class="error">{problem}</p>}
      {page && (
        <>
          <div class="table-wrap">
            <table id="entries">
              <caption>{page.entries.length ? `Page ${cursors.length}` : 'No entries'}{status ? `, ${status}` : ''}</caption>
              <thead><tr><th scope="col">phone</th><th scope="col">status</th><th scope="col">source</th><th scope="col">keyword</th><th scope="col">blocked</th></tr></thead>
              <tbody>{page.entries.map((e) => (
                <tr key={e.phone}><td>{e.phone}</td><td><span class={`status ${e.status}`}>{e.status}</span></td><td>{e.source ?? 'keyword'}</td><td>{e.keyword || '—'}</td><td>{when(e.blocked_at)}</td></tr>
              ))}</tbody>
            </table>
          </div>
          <div class="actions">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
            <button type="button" disabled={!page.next_cursor} onClick={() => setCursors([...cursors, page.next_cursor])}>Next page</button>
          </div>
        </>
      )}
    </section>
  );
}

export function BlacklistPage({ project }: { project: string }) {
  const [version, setVersion] = useState(0);
  return (
    <div>
      <h1>Blacklist <small>{project}</small></h1>
      <PhoneSearch project={project} onChanged={() => setVersion(version + 1)} />
      <EntryList project={project} version={version} />
    </div>
  );
}
