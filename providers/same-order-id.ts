/**
 * Whether the id a provider echoes is the one we asked for. Case-insensitive: UUIDs and hex ids
 * come back in either case from many APIs, and a case change is not another order.
 */
export function sameOrderId(echoed: string, asked: string): boolean {
  return echoed.toLowerCase() === asked.toLowerCase();
}
