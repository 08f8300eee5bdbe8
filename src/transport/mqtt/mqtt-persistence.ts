// aedes sessions, subscriptions, retained and queued messages in LevelDB under DATA_DIR/mqtt.
import path from 'node:path';
import type { Readable } from 'node:stream';
// The package's main export is the callback flavour; aedes 1.x needs the async persistence.
import LevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { ClassicLevel } from 'classic-level';

/**
 * Sets DUP on queued QoS 1/2 messages that already went out once (they carry the packet identifier
 * they were sent with), as a re-delivery must [MQTT-3.3.1-1]; aedes resends them with DUP 0.
 * Messages queued while the client was offline have no identifier yet and keep DUP 0.
 */
function markRedeliveries(stream: Readable): Readable {
  return stream.map((packet: { cmd?: string; messageId?: number; dup?: boolean }) => {
    if (packet.cmd === 'publish' && packet.messageId) packet.dup = true;
    return packet;
  });
}

/**
 * A retained-message lookup still running when the broker closes would read from a closed
 * database and throw from a stream nobody listens to; once closing, such errors are moot.
 */
class ClosableLevelPersistence extends LevelPersistence {
  private closing = false;

  override createRetainedStream(pattern: string): Readable {
    return this.guard(super.createRetainedStream(pattern));
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    return this.guard(super.createRetainedStreamCombi(patterns));
  }

  override outgoingStream(client: { id: string }): Readable {
    return markRedeliveries(super.outgoingStream(client));
  }

  override async destroy(): Promise<void> {
    this.closing = true;
    await super.destroy();
  }

  private guard(stream: Readable): Readable {
    const onError = (err: Error) => {
      // Not closing and nobody else listening: fail as loudly as an unhandled stream error would.
      if (!this.closing && stream.listenerCount('error') === 1) throw err;
    };
    stream.on('error', onError);
    return stream;
  }
}

export async function openMqttPersistence(dataDir: string): Promise<LevelPersistence> {
  const location = path.join(dataDir, 'mqtt');
  const db = new ClassicLevel<string, Buffer>(location, { valueEncoding: 'buffer' });
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(`DATA_DIR=${dataDir} is in use by another Fluxgate process (${location} is locked): stop it or set DATA_DIR`, { cause: err });
    }
    throw new Error(`Cannot open MQTT session storage at ${location} (DATA_DIR): ${(err as Error).message}`, { cause: err });
  }
  return new ClosableLevelPersistence(db);
}
