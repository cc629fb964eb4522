import { randomBytes } from 'node:crypto';
import { startHoudiniSandbox, type HoudiniSandbox } from './houdini';
import { startMagmaSandbox, type MagmaSandbox } from './magma';
import { startMiracleCashSandbox, type MiracleCashSandbox } from './miraclecash';
import { startOzzobitSandbox, type OzzobitSandbox } from './ozzobit';
import type { OzzobitWebhookTarget } from './ozzobit-webhook-request';
import type { OzzobitWebhookEncoding, ShapeVariant } from './shape-variant';

export interface SandboxStackOptions {
  /** Simulated time per real time; 1 keeps every duration real (the demo and tests of the floor). */
  timeScale?: number;
  /** Fixed port per simulator (the `sandbox` command); free ports otherwise. */
  ports?: { magma?: number; miraclecash?: number; ozzobit?: number; houdini?: number };
  /** Where OZZOBiT's simulator posts its signed webhooks (the ingress's /webhooks/ozzobit); none when unset. */
  ozzobitWebhookUrl?: string;
  /** How OZZOBiT's webhooks are signed or encoded; hex by default (`jwt` needs OZZOBIT_WEBHOOK_SCHEME=jwt). */
  ozzobitWebhookEncoding?: OzzobitWebhookEncoding;
  /** OZZOBiT's webhooks delivered again while the ingress answers 5xx (ozzobit-webhook-request.ts); once by default. */
  ozzobitWebhookRedelivery?: OzzobitWebhookTarget['redeliver'];
  /** The shape every simulator answers and pushes in (shape-variant.ts); `seed` by default. */
  shape?: ShapeVariant;
}

export interface SandboxStack {
  magma: MagmaSandbox;
  miraclecash: MiracleCashSandbox;
  ozzobit: OzzobitSandbox;
  houdini: HoudiniSandbox;
  /** The provider variables that point the tracker at these simulators, credentials included. */
  environment: Record<string, string>;
  close(): Promise<void>;
}

/** Credentials are made up per run: the simulators check them exactly as the real APIs would. */
function credential(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/** Starts every provider simulator on 127.0.0.1 with fresh credentials. */
export async function startSandboxStack(options: SandboxStackOptions = {}): Promise<SandboxStack> {
  const timeScale = options.timeScale ?? 1;
  const ports = options.ports ?? {};
  const shape = options.shape ?? 'seed';
  const credentials = {
    MAGMA_API_KEY: credential('magma'),
    MIRACLECASH_CLIENT_ID: credential('client'),
    MIRACLECASH_API_KEY: credential('miraclecash'),
    OZZOBIT_SECRET_KEY: credential('ozzobit-secret'),
    OZZOBIT_API_KEY: credential('ozzobit-api'),
    OZZOBIT_WEBHOOK_SECRET: credential('ozzobit-webhook'),
    HOUDINI_PARTNER_ID: credential('partner'),
    HOUDINI_SECRET: credential('houdini'),
  };
  const [magma, miraclecash, ozzobit, houdini] = await Promise.all([
    startMagmaSandbox({ apiKey: credentials.MAGMA_API_KEY, timeScale, port: ports.magma, shape }),
    startMiracleCashSandbox({
      clientId: credentials.MIRACLECASH_CLIENT_ID,
      apiKey: credentials.MIRACLECASH_API_KEY,
      timeScale,
      port: ports.miraclecash,
      shape,
    }),
    startOzzobitSandbox({
      secretKey: credentials.OZZOBIT_SECRET_KEY,
      apiKey: credentials.OZZOBIT_API_KEY,
      webhook: options.ozzobitWebhookUrl
        ? { url: options.ozzobitWebhookUrl, secret: credentials.OZZOBIT_WEBHOOK_SECRET, encoding: options.ozzobitWebhookEncoding, redeliver: options.ozzobitWebhookRedelivery }
        : undefined,
      timeScale,
      port: ports.ozzobit,
      shape,
    }),
    startHoudiniSandbox({ partnerId: credentials.HOUDINI_PARTNER_ID, secret: credentials.HOUDINI_SECRET, timeScale, port: ports.houdini, shape }),
  ]);
  return {
    magma,
    miraclecash,
    ozzobit,
    houdini,
    environment: {
      ...credentials,
      MAGMA_URL: magma.url,
      MIRACLECASH_URL: miraclecash.url,
      OZZOBIT_URL: ozzobit.url,
      OZZOBIT_WS_URL: ozzobit.wsUrl,
      HOUDINI_URL: houdini.url,
      HOUDINI_WS_URL: houdini.wsUrl,
    },
    async close() {
      await Promise.all([magma.close(), miraclecash.close(), ozzobit.close(), houdini.close()]);
    },
  };
}
