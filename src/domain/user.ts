export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  email: string | null;
  role: Role;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
  lastLogin: number | null;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

export type NewUser = Omit<UserWithSecret, 'createdAt' | 'updatedAt' | 'lastLogin'>;
