// A user's own device profile as storage keeps it: the definition is the contract's profile JSON,
// validated by the service before it is stored (built-in profiles live in code, not in storage).
export interface ProfileRecord {
  id: string;
  ownerId: string;
  /** Normalised device type the profile describes; one profile per (owner, device type). */
  deviceType: string;
  definition: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type NewProfileRecord = Omit<ProfileRecord, 'createdAt' | 'updatedAt'>;
