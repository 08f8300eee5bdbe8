// The hot telemetry routes build their answers in typed code from the schemas' own types; checking
// each answer again with zod (the default serializer) costs more than the route itself (hundreds of
// buckets or thousands of points per answer), so these serialize with JSON.stringify. The schemas
// still document the answer. A route may also answer text it wrote itself (answerText, for history
// pages): it goes out as one UTF-8 buffer, encoded once, where a string would be measured for its
// Content-Length and then encoded again by the socket.

/** Answer text a route wrote ahead of the serializer (answerText). */
class JsonText {
  constructor(readonly text: string) {}
}

// fastify sends a Buffer from a serializer as it is; its types only name a string.
const utf8 = (text: string) => Buffer.from(text) as unknown as string;

export const trustedJson = {
  serializerCompiler: () => (data: unknown) => (data instanceof JsonText ? utf8(data.text) : JSON.stringify(data)),
};

/** `text`, JSON of the route's answer schema, as the route's answer: only in routes with `trustedJson`. */
export function answerText<T>(text: string): T {
  return new JsonText(text) as unknown as T;
}
