// The hot telemetry routes build their answers in typed code from the schemas' own types; checking
// each answer again with zod (the default serializer) costs more than the route itself (hundreds of
// buckets or thousands of points per answer), so these serialize with JSON.stringify. The schemas
// still document the answer.
export const trustedJson = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) };
