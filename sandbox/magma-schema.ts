/**
 * The slice of Magma's GraphQL API that the tracking recipe (seed 000) uses, as a real schema, so a
 * query the real API would reject is rejected here too, with real GraphQL errors.
 *
 * Status is a String rather than an enum: the doc warns that new in-flight statuses appear, and a
 * script must be able to play one. On the wire an enum value is a plain string anyway.
 * Money amounts are strings (`"sats": "12500"`), as in the doc's example response.
 */
import { buildSchema, GraphQLError } from 'graphql';
import type { OrderBook, OrderSnapshot } from './order-book';
import type { OrderScript } from './scenario';
import { ALTERNATE_LATENESS_MS, type ShapeVariant } from './shape-variant';

export const magmaSchema = buildSchema(/* GraphQL */ `
  type Query {
    user: User
  }
  type User {
    market: UserMarket
  }
  type UserMarket {
    orders: UserMarketOrders
  }
  input PageInput {
    limit: Int
    offset: Int
  }
  type UserMarketOrders {
    get_order(order_id: String!): Order
    purchases(page: PageInput): OrderList
    sales(page: PageInput): OrderList
  }
  type Order {
    id: String!
    status: String!
    payment_status: String
    channel_id: String
    transaction_id: String
    timeout: String
    blocks_until_can_be_closed: Int
    confirmations: OrderConfirmations
    fees: OrderFees
  }
  type OrderConfirmations {
    confirmations: Int
  }
  type OrderFees {
    buyer: Price
  }
  type Price {
    sats: String
    usd: String
  }
  type OrderList {
    list: [OrderListItem!]!
    total: Int!
  }
  type OrderListItem {
    id: String!
    status: String!
    created_at: String!
    amount: OrderAmount
  }
  type OrderAmount {
    satoshi: Price
  }
`);

/** A Magma script may say which side of the trade we are on; `purchase` unless told otherwise. */
export interface MagmaOrderScript extends OrderScript {
  side?: 'purchase' | 'sale';
}

/** Per-request execution context: one clock reading, and the orders whose status was served. */
export interface MagmaContext {
  now: number;
  answeredOrderIds: Set<string>;
  /** Ids the list pages of this request showed (the request log's `listed`); absent: not noted. */
  listedOrderIds?: string[];
}

const DEFAULT_PAGE_LIMIT = 20;
const MAX_PAGE_LIMIT = 100;

/** Magma's timestamps have whole seconds, as in the doc's `2026-06-10T18:42:00Z`. */
function isoSeconds(milliseconds: number, round: (seconds: number) => number): string {
  return new Date(round(milliseconds / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The order as Magma shows it. Fields the script does not set are null (they appear as the order
 * progresses), except the fees and amount an order has from the start. `timeout` defaults to when
 * the current timed step runs out, which is when the sandbox will move the order on.
 */
export function magmaOrder(snapshot: OrderSnapshot<MagmaOrderScript>, shape: ShapeVariant = 'seed'): Record<string, unknown> {
  // The alternate shape: the status changes a few seconds after the timeout it announced.
  const announcedEnd = snapshot.stepEndsAt === undefined ? undefined : snapshot.stepEndsAt - (shape === 'alternate' ? ALTERNATE_LATENESS_MS : 0);
  return {
    payment_status: null,
    channel_id: null,
    transaction_id: null,
    // Rounded up, so a client waiting for the timeout never looks before the step has moved on.
    timeout: announcedEnd === undefined ? null : isoSeconds(announcedEnd, Math.ceil),
    blocks_until_can_be_closed: null,
    confirmations: null,
    fees: { buyer: { sats: '12500', usd: '5.62' } },
    created_at: isoSeconds(snapshot.addedAt, Math.floor),
    amount: { satoshi: { sats: '1000000', usd: '450.00' } },
    ...snapshot.fields,
    // The script's id and step status always win over anything in `fields`.
    id: snapshot.script.id,
    status: snapshot.step.status,
  };
}

interface PageArguments {
  page?: { limit?: number | null; offset?: number | null } | null;
}

function listPage(orders: OrderSnapshot<MagmaOrderScript>[], { page }: PageArguments, shape: ShapeVariant, context: MagmaContext) {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = page?.offset ?? 0;
  if (limit < 0 || limit > MAX_PAGE_LIMIT || offset < 0) {
    throw new GraphQLError(`page.limit must be 0–${MAX_PAGE_LIMIT} and page.offset at least 0`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const newestFirst = [...orders].reverse(); // the book keeps insertion order; "recent orders" come first
  const shown = newestFirst.slice(offset, offset + limit);
  context.listedOrderIds?.push(...shown.map((snapshot) => snapshot.script.id));
  return { list: shown.map((snapshot) => magmaOrder(snapshot, shape)), total: orders.length };
}

/**
 * Resolvers as a root value: graphql's default resolver calls a function-valued property with
 * (arguments, context), which is all this schema needs.
 */
export function magmaRootValue(orders: OrderBook<MagmaOrderScript>, shape: ShapeVariant = 'seed') {
  const side = (snapshot: OrderSnapshot<MagmaOrderScript>) => snapshot.script.side ?? 'purchase';
  const ordersField = {
    get_order: ({ order_id }: { order_id: string }, context: MagmaContext) => {
      const snapshot = orders.snapshot(order_id, context.now);
      // Unknown id: null plus a NOT_FOUND error, the usual shape for a nullable field that can't
      // resolve (an Apollo-style `extensions.code`). Clients see HTTP 200 with `errors`, so
      // graphql-request throws a ClientError whose response.errors[0].extensions.code is NOT_FOUND.
      if (snapshot === undefined) {
        throw new GraphQLError(`Order ${order_id} not found`, { extensions: { code: 'NOT_FOUND' } });
      }
      context.answeredOrderIds.add(order_id);
      return magmaOrder(snapshot, shape);
    },
    purchases: (page: PageArguments, context: MagmaContext) =>
      listPage(orders.all(context.now).filter((snapshot) => side(snapshot) === 'purchase'), page, shape, context),
    sales: (page: PageArguments, context: MagmaContext) =>
      listPage(orders.all(context.now).filter((snapshot) => side(snapshot) === 'sale'), page, shape, context),
  };
  return { user: () => ({ market: { orders: ordersField } }) };
}
