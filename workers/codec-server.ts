/**
 * The remote codec endpoint the Temporal UI (and CLI) call to show encrypted orders in the clear:
 * `POST /decode` and `POST /encode` take and return `{ payloads: [...] }` (Temporal's remote codec
 * protocol). `order-tracker codec-server` runs it (run-codec-server.ts).
 *
 * CORS: the UI calls from the browser, so the answer names the UI's origin when it is one of the
 * allowed ones. Auth, when a token is set: `Authorization: Bearer <token>` (the CLI's `--codec-auth`,
 * scripts), or the token as the first path segment, because the UI sends no header of ours (only
 * its own user's access token, and only over HTTPS): its codec endpoint is then
 * `http://<host>:<port>/<token>`, and it calls `/<token>/decode`.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  /** 127.0.0.1 unless given: the key stays on this machine. */
  host?: string;
  /** Browser origins allowed to call (the Temporal UI's), e.g. http://127.0.0.1:8233. */
  origins: readonly string[];
  /** Required of every call when set (CODEC_SERVER_TOKEN). */
  token?: string;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The operation a request asks for, or why it is refused: the token checked, by header or by path. */
function route(request: IncomingMessage, token: string | undefined): 'decode' | 'encode' | 'unauthorised' | 'unknown' {
  const segments = (request.url ?? '').split('?')[0]?.split('/').filter(Boolean) ?? [];
  let authorised = token === undefined || sameText(request.headers.authorization ?? '', `Bearer ${token}`);
  if (token !== undefined && segments.length === 2 && sameText(segments[0] ?? '', token)) {
    authorised = true;
    segments.shift();
  }
  const operation = segments.length === 1 && (segments[0] === 'decode' || segments[0] === 'encode') ? segments[0] : undefined;
  if (!authorised) return 'unauthorised';
  return operation === undefined || request.method !== 'POST' ? 'unknown' : operation;
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function startCodecServer(options: CodecServerOptions): Promise<Server> {
  const { codec, token } = options;
  const server = createServer((request, response) => {
    const origin = request.headers.origin;
    if (origin !== undefined && options.origins.includes(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('access-control-allow-credentials', 'true');
    }
    response.setHeader('vary', 'origin');
    response.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    response.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
    // A preflight carries no credentials: it is answered before the token is asked for.
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    const operation = route(request, token);
    if (operation === 'unauthorised') return answer(response, 401, { error: 'missing or wrong codec server token (CODEC_SERVER_TOKEN)' });
    if (operation === 'unknown') return answer(response, 404, { error: 'POST /decode or /encode' });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', async () => {
      if (size > MAX_BODY_BYTES) return answer(response, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
        if (!Array.isArray(body.payloads)) throw new Error('body must be { "payloads": [...] }');
        const result = await codec[operation](body.payloads.map(fromJson));
        answer(response, 200, { payloads: result.map(toJson) });
      } catch (error) {
        answer(response, 400, { error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}
