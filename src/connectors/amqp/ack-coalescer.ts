// Acks a channel's deliveries in bulk: once every delivery up to tag N is settled, one `basic.ack`
// with multiple=true covers them, instead of one frame per message (a group commit settles hundreds
// at once). Deliveries settled otherwise (requeued with nack) are skipped over: a multiple ack only
// ever names a delivery that is itself to be acked, and covers only deliveries still outstanding.
import type { Channel, Message } from 'amqplib';

export class AckCoalescer {
  /** Delivery tags settled but not yet covered, and how. */
  private readonly settled = new Map<number, 'ack' | 'other'>();
  /** The lowest delivery tag not yet settled (tags start at 1 on a channel). */
  private next = 1;
  private highestAck = 0;
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  ack(msg: Message): void {
    this.settle(msg.fields.deliveryTag, 'ack');
  }

  /** The delivery was (or will be) nacked or rejected on its own: no bulk ack may name it. */
  settledElsewhere(msg: Message): void {
    this.settle(msg.fields.deliveryTag, 'other');
  }

  private settle(tag: number, how: 'ack' | 'other'): void {
    this.settled.set(tag, how);
    while (this.settled.has(this.next)) {
      if (this.settled.get(this.next) === 'ack') this.highestAck = this.next;
      this.settled.delete(this.next);
      this.next++;
    }
    if (this.highestAck > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const tag = this.highestAck;
    this.highestAck = 0;
    if (tag === 0) return;
    try {
      this.channel.ack({ fields: { deliveryTag: tag } } as Message, true);
    } catch {
      // the channel closed: RabbitMQ redelivers what was not acked
    }
  }
}
