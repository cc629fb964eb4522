import { randomBytes } from 'node:crypto';
import { startHoudiniSandbox, type HoudiniSandbox } from './houdini';
import { startMagmaSandbox, type MagmaSandbox } from './magma';

export interface SandboxStackOptions {
  /** Simulated time per real time; 1 keeps every duration real (the demo and tests of the floor). */
  timeScale?: number;
  /** Fixed port per simulator (the `sandbox` command); free ports otherwise. */
  ports?: { magma?: number; houdini?: number };
}

export interface SandboxStack {
  magma: MagmaSandbox;
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
  const magmaKey = credential('magma');
  const magma = await startMagmaSandbox({ apiKey: magmaKey, timeScale, port: options.ports?.magma });
  const houdiniPartner = credential('partner');
  const houdiniSecret = credential('houdini');
  const houdini = await startHoudiniSandbox({ partnerId: houdiniPartner, secret: houdiniSecret, timeScale, port: options.ports?.houdini });
  return {
    magma,
    houdini,
    environment: {
      MAGMA_URL: magma.url,
      MAGMA_API_KEY: magmaKey,
      HOUDINI_URL: houdini.url,
      HOUDINI_PARTNER_ID: houdiniPartner,
      HOUDINI_SECRET: houdiniSecret,
      HOUDINI_WS_URL: houdini.wsUrl,
    },
    async close() {
      await Promise.all([magma.close(), houdini.close()]);
    },
  };
}
