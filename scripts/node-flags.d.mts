export const PLATFORM_NODE_FLAGS: string[];
