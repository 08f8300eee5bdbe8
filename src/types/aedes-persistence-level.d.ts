// The async persistence of aedes-persistence-level ships without types.
declare module 'aedes-persistence-level/asyncPersistence.js' {
  import type { Readable } from 'node:stream';
  export default class AsyncLevelPersistence {
    constructor(db: unknown);
    setup(broker: unknown): Promise<void>;
    storeRetained(packet: { topic: string; payload: Buffer | string }): Promise<void>;
    createRetainedStream(pattern: string): Readable;
    createRetainedStreamCombi(patterns: string[]): Readable;
    outgoingStream(client: { id: string }): Readable;
    subscriptionsByClient(client: { id: string }): Promise<Array<{ topic: string; qos: number }>>;
    cleanSubscriptions(client: { id: string }): Promise<void>;
    destroy(): Promise<void>;
  }
}
