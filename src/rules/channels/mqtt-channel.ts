// MQTT channel: publishes the payload to alarms/{device_id} through a publish function the wiring
// provides (the embedded broker or the external broker client).
import type { OutboxRow } from '../../domain/notification.ts';
import type { Channel } from './channel.ts';

export type MqttPublish = (topic: string, payload: string) => Promise<void>;

export class MqttChannel implements Channel {
  readonly name = 'mqtt' as const;

  constructor(private readonly publish: () => MqttPublish | undefined) {}

  async send(row: OutboxRow): Promise<void> {
    const publish = this.publish();
    if (!publish) throw new Error('MQTT is not running on this node');
    const alarm = row.payload.alarm as { device_id?: string } | undefined;
    if (!alarm?.device_id) throw new Error('the payload names no device');
    await publish(`alarms/${alarm.device_id}`, JSON.stringify(row.payload));
  }
}
