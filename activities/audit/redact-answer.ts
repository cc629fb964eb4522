/**
 * A provider answer made safe to keep: values under keys that name a credential (`secret`,
 * `apiKey`, `token`, `authorization`, `signature`, …), any configured secret wherever it appears in
 * a string, and anything shaped like a JWT are replaced by `[redacted]`. Pure; table-tested.
 */
export const REDACTED = '[redacted]';

const CREDENTIAL_KEY = /^(?:.*[_-])?(?:secret|secret[_-]?key|client[_-]?secret|password|passwd|api[_-]?key|apikey|token|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|authorization|signature|private[_-]?key|credentials?)$/i;
/** Three base64url parts, the first a JSON header (`eyJ…`): a signed token, whatever the key. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g;
/** Secrets shorter than this would match ordinary text. */
const MIN_SECRET_LENGTH = 6;

export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key.replace(/([a-z])([A-Z])/g, '$1_$2'));
}

export function redactAnswer(answer: unknown, secrets: readonly string[]): unknown {
  const known = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value, known);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, isCredentialKey(key) && inner !== null ? REDACTED : walk(inner)]));
    }
    return value;
  };
  return walk(answer);
}

function redactText(text: string, secrets: readonly string[]): string {
  let result = text.replace(JWT, REDACTED);
  for (const secret of secrets) result = result.split(secret).join(REDACTED);
  return result;
}
