import { useState } from 'preact/hooks';
import { ApiError, call, session } from '../api.ts';

/** Log in with the API token: checked against the API once, then kept in session storage. */
export function Login() {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem('');
    try {
      await call('GET', '/v1/projects', { token: token.trim() });
      session.logIn(token.trim());
    } catch (error) {
      setProblem(error instanceof ApiError && error.status === 401 ? 'The API does not accept this token.' : (error as Error).message);
    }
  };
  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">optline console</h1>
        <p>Two-way SMS and opt-out keywords. Log in with the API's Bearer token (<code>OPTLINE_API_TOKEN</code>; <code>npm start</code> prints it).</p>
        <div class="field">
          <label for="api-token">API token</label>
          <input id="api-token" type="password" autocomplete="current-password" value={token} required aria-describedby="login-problem"
            onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
          <p id="login-problem" class="problems" role="alert">{problem}</p>
        </div>
        <button type="submit" class="primary">Log in</button>
      </form>
    </main>
  );
}
