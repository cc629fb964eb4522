import type { Contender, ContenderName } from './contender';
import { OrderTrackerContender } from './order-tracker';
import { BullmqContender, SeedLoopsContender } from './plain-node';
import { TemporalCeilingContender } from './temporal-ceiling';

export function createContender(name: ContenderName): Contender {
  switch (name) {
    case 'order-tracker':
      return new OrderTrackerContender('groups');
    case 'order-tracker-retry':
      return new OrderTrackerContender('retry');
    case 'order-tracker-push':
      return new OrderTrackerContender('push');
    case 'seed-loops':
      return new SeedLoopsContender();
    case 'bullmq':
      return new BullmqContender();
    case 'temporal-infrequent':
      return new TemporalCeilingContender('infrequentPolling');
    case 'temporal-bare-loop':
      return new TemporalCeilingContender('bareLoop');
  }
}
