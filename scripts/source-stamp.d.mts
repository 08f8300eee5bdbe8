export function sourceStamp(root: string): string;
export const STAMP_FILE: string;
