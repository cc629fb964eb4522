/**
 * The simulators' "shape variant" switch. The adapters are our reading of the seeds; a simulator that
 * only ever serves that reading is the adapter's mirror and cannot catch a guess. So each simulator
 * also serves the other defensible readings of what its seed leaves open:
 *
 * - `seed`: the shapes the seeds show (what the simulators served before).
 * - `alternate`: the same orders shaped the other way the seeds allow:
 *   - OZZOBiT: the REST order inside `{ data }` and without `id`; webhooks with envelope keys the
 *     seed does not read, and a non-order event before the first status; socket updates naming the
 *     order `orderId`.
 *   - Houdini: optional fields missing or typed differently (`eta` a string, `expires` epoch
 *     seconds, amounts as strings, no `created` or `anonymous`).
 *   - Magma: the status changes a few seconds after the phase's `timeout`, not exactly at it.
 *   - MiracleCash: the id echoed upper-case, `createdAt` without milliseconds, and `expired` a few
 *     seconds after the 24-hour window ends.
 *
 * OZZOBiT's webhook encoding is a switch of its own (`OzzobitWebhookEncoding`): the signature as
 * hex, `sha256=<hex>` or base64, or the whole event as an HS256 JWT in `{ data }`.
 */
export const SHAPE_VARIANTS = ['seed', 'alternate'] as const;
export type ShapeVariant = (typeof SHAPE_VARIANTS)[number];

export const OZZOBIT_WEBHOOK_ENCODINGS = ['hex', 'sha256-hex', 'base64', 'jwt'] as const;
export type OzzobitWebhookEncoding = (typeof OZZOBIT_WEBHOOK_ENCODINGS)[number];

/** How late a provider is, in the `alternate` shape, after the time it announced (Magma's phase timeout, MiracleCash's expiry). */
export const ALTERNATE_LATENESS_MS = 3_000;
