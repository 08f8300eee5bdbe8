// The async persistence of aedes-persistence-level ships without types.
declare module 'aedes-persistence-level/asyncPersistence.js' {
  export default class AsyncLevelPersistence {
    constructor(db: unknown);
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
}
