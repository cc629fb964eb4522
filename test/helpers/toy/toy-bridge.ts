/**
 * Toy's socket bridge: one WebSocket to TOY_WS_URL with the API token; every order update on it
 * becomes a push to its order. A drop reconnects after a second; a refused token (close 4401) ends
 * `run()` for good. The generic parts (queueing per order, delivery, the channel report) come from
 * the socket bridge base every provider's bridge extends.
 */
import WebSocket, { type RawData } from 'ws';
import type { PushContext } from '../../../providers/push/push-channel';
import { SocketBridge } from '../../../providers/push/socket-bridge';
import { toToyObservation } from './toy-client';
import { TOY, TOY_REFUSED_CLOSE_CODE, toyAuthorization, toyUpdateSchema } from './toy-protocol';

const RECONNECT_MS = 1_000;

export class ToyBridge extends SocketBridge {
  private socket: WebSocket | undefined;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: { wsUrl: string; token: string },
    context: PushContext,
  ) {
    super(TOY, context);
  }

  protected start(): void {
    this.report = { state: 'connecting', reason: null };
    const socket = new WebSocket(this.settings.wsUrl, { headers: { Authorization: toyAuthorization(this.settings.token) } });
    this.socket = socket;
    socket.on('open', () => {
      this.report = { state: 'up', reason: null };
    });
    socket.on('message', (data: RawData) => this.read(data));
    socket.on('error', (error) => this.logger.warn('toy socket error', { error: error.message }));
    socket.on('close', (code) => {
      if (this.stopped) return;
      if (code === TOY_REFUSED_CLOSE_CODE) return this.fail(new Error('Toy refused TOY_TOKEN on its socket'));
      this.report = { state: 'connecting', reason: `socket closed (${code})` };
      this.reconnect = setTimeout(() => this.start(), RECONNECT_MS);
    });
  }

  protected async closeConnection(): Promise<void> {
    clearTimeout(this.reconnect);
    const socket = this.socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }

  protected abandon(): void {
    clearTimeout(this.reconnect);
    this.socket?.terminate();
  }

  private read(data: RawData): void {
    let update;
    try {
      update = toyUpdateSchema.parse(JSON.parse(String(data)));
    } catch (error) {
      this.count('malformed');
      this.logger.warn('ignored a malformed toy update', { error: error instanceof Error ? error.message : String(error) });
      return;
    }
    void this.deliver(update.order.id, toToyObservation(update.order.state));
  }
}
