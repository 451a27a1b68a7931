import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session } from './api.ts';
import { useProjects } from './projects.ts';
import { ApiReference } from './pages/ApiReference.tsx';
import { BlacklistPage } from './pages/Blacklist.tsx';
import { Login } from './pages/Login.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { RepliesPage } from './pages/Replies.tsx';
import { ReviewPage } from './pages/Review.tsx';
import { SettingsPage } from './pages/Settings.tsx';

/** Pages by the URL fragment (#/settings), so the server serves one file and reload keeps the page. */
const PAGES = [
  { path: 'overview', title: 'Overview', needsProject: true },
  { path: 'settings', title: 'SMS settings', needsProject: true },
  { path: 'replies', title: 'Replies', needsProject: true },
  { path: 'blacklist', title: 'Blacklist', needsProject: true },
  { path: 'review', title: 'Review queue', needsProject: true },
  { path: 'api', title: 'API reference', needsProject: false },
] as const;
type PagePath = (typeof PAGES)[number]['path'];

const PROJECT_KEY = 'optline.project';
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function useHashPage(): PagePath {
  const read = (): PagePath => {
    const p = location.hash.replace(/^#\/?/, '').split('?')[0];
    return (PAGES.find((x) => x.path === p)?.path ?? 'settings') as PagePath;
  };
  const [page, setPage] = useState(read);
  useEffect(() => {
    const on = () => setPage(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return page;
}

function ProjectPicker({ project, onPick }: { project: string; onPick: (p: string) => void }) {
  const [typed, setTyped] = useState(project);
  const [problem, setProblem] = useState('');
  const { list } = useProjects();
  useEffect(() => setTyped(project), [project]);
  const known = list.some((p) => p.project === typed.trim());
  return (
    <form class="picker" onSubmit={(e) => {
      e.preventDefault();
      const name = typed.trim();
      if (!PROJECT_NAME.test(name)) return setProblem('1-128 letters, digits, “_”, “.” or “-”, starting with a letter or digit');
      setProblem('');
      onPick(name);
    }}>
      <label for="project">Project</label>
      <input id="project" type="text" list="project-list" value={typed} autocomplete="off" placeholder="pick or type a new name" aria-describedby="project-problem"
        onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
      <datalist id="project-list">{list.map((p) => <option key={p.project} value={p.project} />)}</datalist>
      <button type="submit">{typed.trim() === '' || known ? 'Open' : 'Create'}</button>
      <span id="project-problem" class="problems" role="alert">{problem}</span>
    </form>
  );
}

function App() {
  const [token, setToken] = useState(session.token());
  const [project, setProject] = useState(sessionStorage.getItem(PROJECT_KEY) ?? '');
  const page = useHashPage();
  useEffect(() => session.onChange(() => {
    setToken(session.token());
    setProject(sessionStorage.getItem(PROJECT_KEY) ?? '');
  }), []);
  if (!token) return <Login />;
  const current = PAGES.find((p) => p.path === page)!;
  const pick = (p: string) => {
    sessionStorage.setItem(PROJECT_KEY, p);
    setProject(p);
  };
  return (
    <>
      <header class="top">
        <a class="brand" href="#/settings">optline</a>
        <ProjectPicker project={project} onPick={pick} />
        <nav aria-label="Pages">
          {PAGES.map((p) => <a key={p.path} href={`#/${p.path}`} aria-current={p.path === page ? 'page' : undefined}>{p.title}</a>)}
        </nav>
        <button type="button" class="logout" onClick={() => session.logOut()}>Log out</button>
      </header>
      <main id="content">
        {current.needsProject && project === '' ? (
          <div class="card"><h1>{current.title}</h1><p>Pick a project in “Project”, or type a new name to create its settings.</p></div>
        ) : page === 'settings' ? <SettingsPage key={project} project={project} />
          : page === 'overview' ? <OverviewPage key={project} project={project} />
          : page === 'replies' ? <RepliesPage key={project} project={project} />
          : page === 'review' ? <ReviewPage key={project} project={project} />
          : page === 'blacklist' ? <BlacklistPage key={project} project={project} />
          : <ApiReference />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('root')!);
