import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { EncryptionCodec } from '../../common/encryption-codec';

const key = randomBytes(32);

test('encode then decode gives back the payload; the ciphertext does not contain the plaintext', async () => {
  const codec = new EncryptionCodec(key);
  const payload = defaultPayloadConverter.toPayload({ orderId: 'secret-order-42', reference: 'cart-9' });
  const [encrypted] = await codec.encode([payload]);
  expect(Buffer.from(encrypted?.data ?? []).toString('latin1')).not.toContain('secret-order-42');
  const [decoded] = await codec.decode([encrypted as never]);
  expect(defaultPayloadConverter.fromPayload(decoded as never)).toEqual({ orderId: 'secret-order-42', reference: 'cart-9' });
});

test('a payload encrypted with another key is refused with the key ids named', async () => {
  const [encrypted] = await new EncryptionCodec(randomBytes(32)).encode([defaultPayloadConverter.toPayload('x')]);
  await expect(new EncryptionCodec(key).decode([encrypted as never])).rejects.toThrow(/encrypted with key [0-9a-f]{16}, not the configured key/);
});

test('a tampered ciphertext fails authentication', async () => {
  const [encrypted] = await new EncryptionCodec(key).encode([defaultPayloadConverter.toPayload('x')]);
  const data = Buffer.from(encrypted?.data ?? []);
  data[data.length - 20] = (data[data.length - 20] ?? 0) ^ 0xff;
  await expect(new EncryptionCodec(key).decode([{ ...encrypted, data } as never])).rejects.toThrow();
});

test('unencrypted payloads pass through decode untouched', async () => {
  const payload = defaultPayloadConverter.toPayload({ a: 1 });
  expect(await new EncryptionCodec(key).decode([payload as never])).toEqual([payload]);
});

test('a key of the wrong length is refused', () => {
  expect(() => new EncryptionCodec(randomBytes(16))).toThrow(/32 bytes/);
});

describe('key rotation (newest key first)', () => {
  const older = randomBytes(32);
  const newer = randomBytes(32);

  test('encrypts with the newest key and still decrypts what an older key encrypted', async () => {
    const [underOld] = await new EncryptionCodec(older).encode([defaultPayloadConverter.toPayload('written under the old key')]);
    const rotated = new EncryptionCodec([newer, older]);
    const [decoded] = await rotated.decode([underOld as never]);
    expect(defaultPayloadConverter.fromPayload(decoded as never)).toBe('written under the old key');

    const [underNew] = await rotated.encode([defaultPayloadConverter.toPayload('x')]);
    // The newest key alone reads what the rotated codec writes: the old key can be dropped later.
    const [readByNewest] = await new EncryptionCodec(newer).decode([underNew as never]);
    expect(defaultPayloadConverter.fromPayload(readByNewest as never)).toBe('x');
    await expect(new EncryptionCodec(older).decode([underNew as never])).rejects.toThrow(/not the configured key/);
  });

  test('a payload of a key no longer configured is refused, naming the configured keys', async () => {
    const [underOld] = await new EncryptionCodec(older).encode([defaultPayloadConverter.toPayload('x')]);
    await expect(new EncryptionCodec([newer, randomBytes(32)]).decode([underOld as never])).rejects.toThrow(/not the configured keys [0-9a-f]{16}, [0-9a-f]{16}/);
  });

  test('every key must be 32 bytes, and the bad one is named', () => {
    expect(() => new EncryptionCodec([newer, randomBytes(16)])).toThrow(/key 2 is not/);
  });
});
