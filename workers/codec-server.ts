import type { Payload, PayloadCodec } from '@temporalio/common';
import { createServer, type Server } from 'node:http';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
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

/**
 * The remote codec endpoint the Temporal UI and CLI call to show encrypted orders in the clear
 * (UI: Settings → Codec Server → http://127.0.0.1:<port>). POST /decode and /encode take and return
 * `{ payloads: [...] }`; CORS allows the UI's origin. Listens on 127.0.0.1 only: the key stays local.
 */
export function startCodecServer(codec: PayloadCodec, port: number, allowedOrigin: string): Promise<Server> {
  const server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', allowedOrigin);
    response.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
    response.setHeader('access-control-allow-credentials', 'true');
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    const operation = request.url === '/decode' ? 'decode' : request.url === '/encode' ? 'encode' : undefined;
    if (request.method !== 'POST' || operation === undefined) {
      return void response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'POST /decode or /encode' }));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
        if (!Array.isArray(body.payloads)) throw new Error('body must be { "payloads": [...] }');
        const result = await codec[operation](body.payloads.map(fromJson));
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: result.map(toJson) }));
      } catch (error) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
