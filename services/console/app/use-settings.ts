import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, call, enc, type FieldError } from './api.ts';
import { useProjects } from './projects.ts';
import { docOf, issuesByField, liveErrors, type SettingsDoc, type Stored } from './settings-form.ts';
import type { ChipIssue } from './components/ChipInput.tsx';

export type Load = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; stored: Stored | null };

export interface SettingsEditor {
  load: Load;
  doc: SettingsDoc;
  set<K extends keyof SettingsDoc>(key: K, value: SettingsDoc[K]): void;
  /** Live errors (the core's rules on the document as it is). */
  live: FieldError[];
  /** What to show next to each control: the API's refusal until the document changes, else the live rules. */
  issues: Map<string, ChipIssue[]>;
  refused: { message: string; fields: FieldError[] } | null;
  /** The version this form was loaded from, when a save found a newer one stored (412). */
  staleFrom: number | null;
  notice: string;
  saving: boolean;
  save(): Promise<void>;
  reload(): Promise<void>;
}

/**
 * One project's settings in a form: loaded from the API (or the suggested defaults for a new
 * project), checked live by the core, saved whole with `If-Match: <version>` so that a save
 * over someone else's newer version is refused (412) instead of overwriting it.
 */
export function useSettings(project: string): SettingsEditor {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [doc, setDoc] = useState<SettingsDoc>(docOf({}));
  const [refused, setRefused] = useState<SettingsEditor['refused']>(null);
  const [staleFrom, setStaleFrom] = useState<number | null>(null);
  const [notice, setNotice] = useState('');
  const [saving, setSaving] = useState(false);
  const projects = useProjects();

  const reload = async () => {
    setLoad({ state: 'loading' });
    setRefused(null);
    setStaleFrom(null);
    try {
      const { body } = await call<Stored>('GET', `/v1/projects/${enc(project)}/sms-settings`);
      setDoc(docOf(body));
      setLoad({ state: 'ready', stored: body });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'unknown_project')) return setLoad({ state: 'failed', message: (error as Error).message });
      try {
        const { body } = await call<SettingsDoc>('GET', '/v1/sms-settings/defaults');
        setDoc(docOf(body));
        setLoad({ state: 'ready', stored: null });
      } catch (e) {
        setLoad({ state: 'failed', message: (e as Error).message });
      }
    }
  };
  useEffect(() => {
    setNotice('');
    void reload();
  }, [project]);

  const owners = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of projects.list) if (p.project !== project) for (const n of p.dedicatedNumbers) m.set(n, p.project);
    return m;
  }, [projects.list, project]);
  const live = useMemo(() => liveErrors(project, doc, owners), [project, doc, owners]);
  const stored = load.state === 'ready' ? load.stored : null;

  return {
    load, doc, live, refused, staleFrom, notice, saving, reload,
    issues: issuesByField(refused ? refused.fields : live),
    set(key, value) {
      setRefused(null);
      setNotice('');
      setDoc({ ...doc, [key]: value });
    },
    async save() {
      setSaving(true);
      setNotice('');
      try {
        // 0 for a new project: two operators creating it at once do not overwrite each other either.
        const headers = { 'if-match': String(stored?.version ?? 0) };
        const { body } = await call<Stored>('PUT', `/v1/projects/${enc(project)}/sms-settings`, { body: doc, headers });
        setLoad({ state: 'ready', stored: body });
        setDoc(docOf(body));
        setRefused(null);
        setNotice(`Saved: version ${body.version}.`);
        projects.refresh();
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) setStaleFrom(stored?.version ?? 0);
        else if (error instanceof ApiError) setRefused({ message: error.message, fields: error.fields });
        else setRefused({ message: (error as Error).message, fields: [] });
      } finally {
        setSaving(false);
      }
    },
  };
}
