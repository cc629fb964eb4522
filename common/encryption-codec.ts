import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Payloads this codec wrote carry this encoding; everything else passes through untouched. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A short fingerprint of the key, stored with each payload so a wrong key is named, not guessed at. */
function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Keys are given newest first, comma-separated: `ORDER_TRACKER_ENCRYPTION_KEY=<new>,<old>`. */
export function parseEncryptionKeys(text: string): Buffer[] {
  return text.split(',').map((part) => Buffer.from(part.trim(), 'base64'));
}

interface NamedKey {
  id: string;
  key: Buffer;
}

/**
 * AES-256-GCM over whole payloads (order ids, statuses, details, references), so order data in workflow
 * history is unreadable without ORDER_TRACKER_ENCRYPTION_KEY. Search attributes stay clear (the
 * server must index them), and the UI shows encrypted payloads unless pointed at the codec server.
 *
 * Rotation: several keys, newest first. Payloads are encrypted with the newest and carry its key id;
 * each is decrypted with the key its id names, so orders started under an older key keep running
 * after a restart with `<new>,<old>`. Drop the old key once no open order's history needs it.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: NamedKey[];

  constructor(keys: Buffer | readonly Buffer[]) {
    const list = Buffer.isBuffer(keys) ? [keys] : [...keys];
    if (list.length === 0) throw new Error('ORDER_TRACKER_ENCRYPTION_KEY names no key');
    this.keys = list.map((key, index) => {
      if (key.length !== 32) {
        throw new Error(`ORDER_TRACKER_ENCRYPTION_KEY must be 32 bytes, base64-encoded${list.length > 1 ? ` (key ${index + 1} is not)` : ''}`);
      }
      return { id: keyId(key), key };
    });
  }

  /** The newest key: the one every payload is encrypted with. */
  private get current(): NamedKey {
    return this.keys[0] as NamedKey;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (!idBytes) return this.decryptWithAnyKey(data);
      const id = decoder.decode(idBytes);
      const named = this.keys.find((candidate) => candidate.id === id);
      if (named === undefined) {
        const configured = this.keys.map((candidate) => candidate.id).join(', ');
        throw new Error(`payload was encrypted with key ${id}, not the configured key${this.keys.length > 1 ? 's' : ''} ${configured}`);
      }
      return decrypt(named.key, data);
    });
  }

  /** A payload without a key id: whichever configured key authenticates it. */
  private decryptWithAnyKey(data: Buffer): Payload {
    for (const { key } of this.keys) {
      try {
        return decrypt(key, data);
      } catch {
        // not this key
      }
    }
    throw new Error('payload has no key id and none of the configured keys decrypts it');
  }
}

function decrypt(key: Buffer, data: Buffer): Payload {
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  return temporal.api.common.v1.Payload.decode(plain);
}

/**
 * The data converter for clients and workers: encrypting payloads, failure messages and stack traces
 * when keys are configured (ORDER_TRACKER_ENCRYPTION_KEY, newest first), nothing otherwise.
 */
export function dataConverterFor(encryptionKeys: string | undefined): { payloadCodecs: PayloadCodec[]; failureConverterPath: string } | undefined {
  if (encryptionKeys === undefined) return undefined;
  return { payloadCodecs: [new EncryptionCodec(parseEncryptionKeys(encryptionKeys))], failureConverterPath: require.resolve('./failure-converter') };
}
