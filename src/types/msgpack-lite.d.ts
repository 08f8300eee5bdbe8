// msgpack-lite ships without types; only decode is used (the codec aedes-persistence-level stores with).
declare module 'msgpack-lite' {
  const msgpack: { decode(buffer: Buffer): unknown };
  export default msgpack;
}
