// A Sinch SMS REST API of our own on loopback: the two calls optline makes (send a text
// batch, list batches by client_reference) with Sinch's request and answer shapes, Bearer auth,
// and switches that make it fail the way a real gateway and network do. Tests count what
// reached "Sinch" through it; `optline start` without Sinch credentials runs it as a sandbox
// that prints each outgoing SMS instead of sending it.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Batch, BatchList, SendTextBatch } from './types.ts';

/** How the next POSTs fail. `times` (default: until cleared) counts the POSTs it applies to. */
export type SandboxFault =
  /** Answer with this status, the batch not accepted (500, 503, 429 with Retry-After, 400, …). */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; times?: number }
  /** Destroy the connection before reading the batch: nothing accepted. */
  | { kind: 'reset'; times?: number }
  /** Accept and store the batch, then destroy the connection without answering. */
  | { kind: 'drop_response'; times?: number }
  /** Accept and store the batch, answer `ms` later (a client may time out meanwhile). */
  | { kind: 'slow'; ms: number; times?: number };

export interface SandboxOptions {
  servicePlanId: string;
  apiToken: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Answer every call this much later (a batch is stored before the wait). */
  latencyMs?: number;
  /** Called with every accepted batch, e.g. to print it. */
  onBatch?: (batch: Batch) => void;
}

interface ActiveFault {
  fault: SandboxFault;
  left: number;
}

const PAGE_SIZE_DEFAULT = 30;
const PAGE_SIZE_MAX = 100;

export class SinchSandbox {
  /** Every accepted batch, in order. */
  readonly batches: Batch[] = [];
  /** client_reference -> when (epoch ms) the 201 of its first accepted batch was written. */
  readonly answeredAt = new Map<string, number>();
  /** POSTs received (accepted or not) and GET look-ups answered. */
  readonly calls = { posts: 0, lookups: 0 };
  /** Every POST whose batch could be read, accepted or not: which reference, from which client, when. */
  readonly postLog: Array<{ clientReference: string | undefined; userAgent: string | undefined; at: number }> = [];
  latencyMs: number;
  private readonly byReference = new Map<string, Batch[]>();
  private fault: ActiveFault | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  private url = '';

  constructor(private readonly options: SandboxOptions) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** Listens; resolves to the base URL to use as OPTLINE_SINCH_API_URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res).catch((err) => {
      if (!res.headersSent) this.json(res, 500, { code: 'internal_error', text: String(err) });
    }));
    server.keepAliveTimeout = 65_000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address}:${port}`;
    return this.url;
  }

  get baseUrl(): string {
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes the next POSTs fail (see SandboxFault); replaces any fault set before. */
  failWith(fault: SandboxFault): void {
    this.fault = { fault, left: fault.times ?? Number.POSITIVE_INFINITY };
  }

  /** Sinch answers normally again. */
  heal(): void {
    this.fault = null;
  }

  /** How many batches were accepted with this client_reference (1 = exactly once). */
  count(clientReference: string): number {
    return this.byReference.get(clientReference)?.length ?? 0;
  }

  /** client_reference -> accepted batches, for every reference seen. */
  counts(): Map<string, number> {
    return new Map([...this.byReference].map(([ref, list]) => [ref, list.length]));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const m = /^\/xms\/v1\/([^/]+)\/batches$/.exec(url.pathname);
    if (!m) return this.json(res, 404, { code: 'not_found', text: `no route ${req.method} ${url.pathname}` });
    if (req.headers.authorization !== `Bearer ${this.options.apiToken}`) {
      return this.json(res, 401, { code: 'unauthorized', text: 'missing or wrong Bearer token' });
    }
    if (decodeURIComponent(m[1]!) !== this.options.servicePlanId) {
      return this.json(res, 403, { code: 'forbidden', text: `service plan ${m[1]} is not this account's` });
    }
    if (req.method === 'GET') return this.list(url, res);
    if (req.method === 'POST') return this.send(req, res);
    return this.json(res, 405, { code: 'method_not_allowed', text: `${req.method} is not allowed here` });
  }

  private async send(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.calls.posts++;
    const fault = this.takeFault();
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const text = await readBody(req);
    this.postLog.push({ clientReference: referenceOf(text), userAgent: req.headers['user-agent'], at: Date.now() });
    if (fault?.kind === 'status') {
      if (fault.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(fault.retryAfterSeconds));
      await this.delay();
      const code = fault.status === 429 ? 'too_many_requests' : fault.status >= 500 ? 'internal_error' : 'syntax_invalid_parameter_format';
      return this.json(res, fault.status, { code, text: `sandbox fault: HTTP ${fault.status}` });
    }
    const parsed = parseSend(text);
    if (typeof parsed === 'string') return this.json(res, 400, { code: 'syntax_invalid_parameter_format', text: parsed });
    const batch = this.accept(parsed);
    if (fault?.kind === 'drop_response') {
      req.socket.destroy();
      return;
    }
    await this.delay();
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    this.json(res, 201, batch);
    if (batch.client_reference !== undefined && !this.answeredAt.has(batch.client_reference)) this.answeredAt.set(batch.client_reference, Date.now());
  }

  private accept(send: SendTextBatch): Batch {
    const now = new Date();
    const batch: Batch = {
      id: randomBytes(13).toString('base64url').toUpperCase().slice(0, 26),
      from: send.from,
      to: send.to,
      body: send.body,
      type: 'mt_text',
      canceled: false,
      created_at: now.toISOString(),
      modified_at: now.toISOString(),
      delivery_report: send.delivery_report ?? 'none',
      expire_at: new Date(now.getTime() + 3 * 86_400_000).toISOString(),
      flash_message: false,
      ...(send.client_reference === undefined ? {} : { client_reference: send.client_reference }),
    };
    this.batches.push(batch);
    if (send.client_reference !== undefined) {
      const list = this.byReference.get(send.client_reference) ?? [];
      list.push(batch);
      this.byReference.set(send.client_reference, list);
    }
    this.options.onBatch?.(batch);
    return batch;
  }

  private async list(url: URL, res: ServerResponse): Promise<void> {
    this.calls.lookups++;
    const page = Number(url.searchParams.get('page') ?? 0);
    const size = Math.min(PAGE_SIZE_MAX, Number(url.searchParams.get('page_size') ?? PAGE_SIZE_DEFAULT));
    if (!Number.isInteger(page) || page < 0 || !Number.isInteger(size) || size < 1) {
      return this.json(res, 400, { code: 'syntax_invalid_parameter_format', text: 'page must be >= 0 and page_size 1-100' });
    }
    const ref = url.searchParams.get('client_reference');
    // Newest first, as Sinch lists them.
    const all = (ref === null ? this.batches : this.byReference.get(ref) ?? []).slice().reverse();
    const body: BatchList = { count: all.length, page, page_size: size, batches: all.slice(page * size, (page + 1) * size) };
    await this.delay();
    this.json(res, 200, body);
  }

  private takeFault(): SandboxFault | null {
    const active = this.fault;
    if (active === null) return null;
    if (--active.left <= 0) this.fault = null;
    return active.fault;
  }

  private delay(): Promise<void> {
    return this.latencyMs > 0 ? new Promise((r) => setTimeout(r, this.latencyMs)) : Promise.resolve();
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function referenceOf(text: string): string | undefined {
  try {
    const ref = (JSON.parse(text) as { client_reference?: unknown }).client_reference;
    return typeof ref === 'string' ? ref : undefined;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const MSISDN = /^\+?\d{3,15}$/;

/** The send request, or what is wrong with it in Sinch's words. */
function parseSend(text: string): SendTextBatch | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'request body is not JSON';
  }
  if (typeof doc !== 'object' || doc === null) return 'request body must be a JSON object';
  const d = doc as Record<string, unknown>;
  if (typeof d.from !== 'string' || d.from === '') return 'from: required';
  if (!Array.isArray(d.to) || d.to.length === 0 || !d.to.every((t) => typeof t === 'string' && MSISDN.test(t))) {
    return 'to: must be a non-empty list of MSISDNs';
  }
  if (typeof d.body !== 'string' || d.body === '') return 'body: required';
  if (d.type !== undefined && d.type !== 'mt_text') return 'type: only mt_text is supported by this sandbox';
  if (d.client_reference !== undefined && (typeof d.client_reference !== 'string' || d.client_reference.length > 2048)) {
    return 'client_reference: must be a string of at most 2048 characters';
  }
  return d as unknown as SendTextBatch;
}
