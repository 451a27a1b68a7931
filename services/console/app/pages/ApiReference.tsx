import { useEffect, useState } from 'preact/hooks';
import { call } from '../api.ts';

interface Operation {
  summary?: string;
  description?: string;
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown; description?: string }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
}
interface Document {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** The API's OpenAPI 3.1 document (GET /v1/openapi.json), one section per operation. */
export function ApiReference() {
  const [doc, setDoc] = useState<Document | null>(null);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    call<Document>('GET', '/v1/openapi.json').then((a) => setDoc(a.body), (e: Error) => setProblem(e.message));
  }, []);
  if (problem) return <p role="alert" class="error">{problem}</p>;
  if (!doc) return <p role="status">Loading the API reference…</p>;
  return (
    <div class="card api-ref">
      <h1>API reference <small>{doc.info.title} {doc.info.version}</small></h1>
      <p>{doc.info.description} The document itself: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).</p>
      {Object.entries(doc.paths).map(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => (
          <section key={`${method} ${path}`} class="operation">
            <h2><span class={`method ${method}`}>{method.toUpperCase()}</span> <code>{path}</code>{op.security?.length ? <span class="badge">token</span> : null}</h2>
            {op.summary && <p>{op.summary}</p>}
            {op.parameters?.length ? (
              <div class="table-wrap"><table>
                <caption>Parameters</caption>
                <thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">schema</th></tr></thead>
                <tbody>{op.parameters.map((p) => <tr key={p.in + p.name}><td><code>{p.name}</code>{p.required ? ' *' : ''}</td><td>{p.in}</td><td><code>{JSON.stringify(p.schema)}</code></td></tr>)}</tbody>
              </table></div>
            ) : null}
            {op.requestBody && <details><summary>Request body</summary><pre>{json(Object.values(op.requestBody.content)[0]?.schema)}</pre></details>}
            {Object.entries(op.responses).map(([status, r]) => (
              <details key={status}><summary>{status} {r.description}</summary><pre>{json(Object.values(r.content ?? {})[0]?.schema)}</pre></details>
            ))}
          </section>
        )),
      )}
    </div>
  );
}
