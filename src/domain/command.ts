// Commands sent to devices and the desired state kept per device (DESIGN.md "Commands and state").
export const COMMAND_STATUSES = ['pending', 'delivered', 'acked', 'failed', 'expired'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Statuses a command can still leave; acked, failed and expired are final. */
export const OPEN_COMMAND_STATUSES: readonly CommandStatus[] = ['pending', 'delivered'];

export interface Command {
  id: string;
  deviceId: string;
  command: string;
  parameters: Record<string, unknown>;
  status: CommandStatus;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  deliveredAt: number | null;
  completedAt: number | null;
  result: unknown;
  error: string | null;
}

export type NewCommand = Pick<Command, 'id' | 'deviceId' | 'command' | 'parameters' | 'createdBy' | 'createdAt' | 'expiresAt'>;

export interface CommandUpdate {
  status: CommandStatus;
  deliveredAt?: number;
  completedAt?: number;
  result?: unknown;
  error?: string | null;
}

export interface DesiredState {
  deviceId: string;
  desired: Record<string, unknown>;
  version: number;
  updatedAt: number;
}

/** `current` merged with `patch`; a null member removes that key. */
export function mergeDesired(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The desired members the reported state does not match yet. */
export function desiredDelta(desired: Record<string, unknown>, reported: Record<string, unknown>): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (JSON.stringify(reported[key]) !== JSON.stringify(value)) delta[key] = value;
  }
  return delta;
}
