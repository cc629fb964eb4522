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

/**
 * AES-256-GCM over whole payloads (order ids, statuses, details, references), so order data in
 * workflow history is unreadable without ORDER_TRACKER_ENCRYPTION_KEY. Search attributes stay clear
 * (the server must index them), and the UI shows encrypted payloads unless pointed at the codec server.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly id: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('ORDER_TRACKER_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    this.id = keyId(key);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(this.id) },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = payload.metadata?.[KEY_ID_METADATA];
      if (id && decoder.decode(id) !== this.id) {
        throw new Error(`payload was encrypted with key ${decoder.decode(id)}, not the configured key ${this.id}`);
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The data converter for clients and workers: encrypting when a key is configured. */
export function dataConverterFor(encryptionKey: string | undefined): { payloadCodecs: PayloadCodec[] } | undefined {
  if (encryptionKey === undefined) return undefined;
  return { payloadCodecs: [new EncryptionCodec(Buffer.from(encryptionKey, 'base64'))] };
}
