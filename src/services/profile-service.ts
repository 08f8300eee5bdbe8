// Device profiles: built-ins (in the contract) and users' own (in storage). Built-ins can be read by
// everyone and copied, never edited; a user's profiles are theirs, admins manage all. A device's
// profile is its owner's profile for its device type, else the built-in one, else none (unprofiled).
import { FluxgateError } from '../contract/errors.ts';
import { BUILTIN_PROFILES } from '../contract/profiles/builtin-profiles.ts';
import { resolveProfile } from '../contract/profiles/profile-resolution.ts';
import { type Profile, type ProfileDefinition, profileDefinition } from '../contract/profiles/profile.ts';
import { type ProfileProblem, checkCommand, checkDesired, isOutOfRange } from '../contract/profiles/profile-checks.ts';
import type { Device } from '../domain/device.ts';
import { generateId } from '../domain/ids.ts';
import type { ProfileRecord } from '../domain/profile.ts';
import type { Storage } from '../storage/storage.ts';
import type { Principal } from './auth-service.ts';

const builtinView = (p: ProfileDefinition): Profile => ({ ...p, id: p.device_type, builtin: true, owner_id: null, created_at: null, updated_at: null });
const BUILTINS: readonly Profile[] = BUILTIN_PROFILES.map(builtinView);

function recordView(r: ProfileRecord): Profile {
  // Stored definitions were validated when saved; parsing again fills defaults added since.
  const definition = profileDefinition.parse(r.definition);
  return { ...definition, id: r.id, builtin: false, owner_id: r.ownerId, created_at: new Date(r.createdAt).toISOString(), updated_at: new Date(r.updatedAt).toISOString() };
}

const profileOf = (deviceType: string, own: readonly Profile[]) => resolveProfile(deviceType, own, BUILTINS);

/**
 * How long one owner's profiles are reused by queries (range flags, lists) without reading storage.
 * Writes through this node drop them at once; another node's write shows here within this time.
 */
const OWN_PROFILES_TTL_MS = 5_000;
const OWN_PROFILES_CACHED_OWNERS = 10_000;

export class ProfileService {
  private readonly ownCache = new Map<string, { at: number; profiles: Promise<Profile[]> }>();

  constructor(private readonly storage: Storage) {}

  /** Built-ins first, then the caller's own profiles (every user's for an admin). */
  async list(principal: Principal): Promise<Profile[]> {
    const own = await this.storage.listProfiles(principal.role === 'admin' ? undefined : principal.userId);
    return [...BUILTINS, ...own.map(recordView)];
  }

  async get(principal: Principal, id: string): Promise<Profile> {
    const builtin = BUILTINS.find((p) => p.id === id);
    if (builtin) return builtin;
    return recordView(await this.ownRecord(principal, id));
  }

  async create(principal: Principal, definition: ProfileDefinition): Promise<Profile> {
    const record = await this.storage.createProfile({ id: generateId('prf'), ownerId: principal.userId, deviceType: definition.device_type, definition });
    if (!record) throw this.exists(definition.device_type);
    this.ownCache.delete(record.ownerId);
    return recordView(record);
  }

  /** A new profile of the caller's from any profile they can read, built-in or their own. */
  async copy(principal: Principal, id: string, overrides: { device_type?: string | undefined; name?: string | undefined }): Promise<Profile> {
    const source = await this.get(principal, id);
    const definition = profileDefinition.parse({ ...stripMeta(source), ...defined(overrides) });
    return this.create(principal, definition);
  }

  async update(principal: Principal, id: string, definition: ProfileDefinition): Promise<Profile> {
    if (BUILTINS.some((p) => p.id === id)) throw builtinReadOnly(id);
    const record = await this.ownRecord(principal, id);
    this.ownCache.delete(record.ownerId);
    const updated = await this.storage.updateProfile(id, definition.device_type, definition);
    if (updated === 'conflict') throw this.exists(definition.device_type);
    if (!updated) throw notFound(id);
    return recordView(updated);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    if (BUILTINS.some((p) => p.id === id)) throw builtinReadOnly(id);
    const record = await this.ownRecord(principal, id);
    this.ownCache.delete(record.ownerId);
    await this.storage.deleteProfile(id);
  }

  /** The profile of a device: its owner's for its type, else the built-in one; undefined when unprofiled. */
  async forDevice(device: Pick<Device, 'deviceType' | 'ownerId'>): Promise<Profile | undefined> {
    return profileOf(device.deviceType, await this.ownProfiles(device.ownerId));
  }

  /** The profiles of many devices (a page of a list), reading each owner's profiles once. */
  async forDevices(devices: readonly Pick<Device, 'id' | 'deviceType' | 'ownerId'>[]): Promise<Map<string, Profile | undefined>> {
    const owners = [...new Set(devices.map((d) => d.ownerId))];
    const ownProfiles = new Map(await Promise.all(owners.map(async (o) => [o, await this.ownProfiles(o)] as const)));
    return new Map(devices.map((d) => [d.id, profileOf(d.deviceType, ownProfiles.get(d.ownerId) ?? [])]));
  }

  /** A device's profile with the fields it has sent that the profile does not describe (schema-on-read). */
  async ofDevice(device: Device): Promise<{ profile: Profile | undefined; unprofiledFields: string[] }> {
    const [profile, fields] = await Promise.all([this.forDevice(device), this.storage.fieldsOf(device.id)]);
    const known = new Set(profile?.fields.map((f) => f.key));
    return { profile, unprofiledFields: fields.filter((f) => !known.has(f)) };
  }

  /** For a device's stored points: whether each lies outside its field's expected range (unprofiled: never). */
  async rangeCheckFor(deviceId: string): Promise<(field: string, value: unknown) => boolean> {
    const device = await this.storage.getDevice(deviceId);
    const profile = device ? await this.forDevice(device) : undefined;
    const fields = new Map(profile?.fields.map((f) => [f.key, f]));
    return (field, value) => {
      const spec = fields.get(field);
      return spec !== undefined && isOutOfRange(spec, value);
    };
  }

  /** Refuses (422, naming the parameter and its range) a command the device's profile does not allow. */
  async checkCommand(device: Device, command: string, parameters: Record<string, unknown>): Promise<void> {
    const profile = await this.forDevice(device);
    if (profile) refuse('INVALID_COMMAND', profile, checkCommand(profile, command, parameters));
  }

  /** Refuses (422) a desired-state patch with keys or values the device's profile does not allow. */
  async checkDesired(device: Device, patch: Record<string, unknown>): Promise<void> {
    const profile = await this.forDevice(device);
    if (profile) refuse('INVALID_DESIRED_STATE', profile, checkDesired(profile, patch));
  }

  private ownProfiles(ownerId: string): Promise<Profile[]> {
    const hit = this.ownCache.get(ownerId);
    if (hit && Date.now() - hit.at < OWN_PROFILES_TTL_MS) return hit.profiles;
    if (this.ownCache.size >= OWN_PROFILES_CACHED_OWNERS) this.ownCache.clear();
    const profiles = this.storage.listProfiles(ownerId).then((records) => records.map(recordView));
    this.ownCache.set(ownerId, { at: Date.now(), profiles });
    profiles.catch(() => this.ownCache.delete(ownerId));
    return profiles;
  }

  private async ownRecord(principal: Principal, id: string): Promise<ProfileRecord> {
    const record = await this.storage.getProfile(id);
    if (!record || (record.ownerId !== principal.userId && principal.role !== 'admin')) throw notFound(id);
    return record;
  }

  private exists(deviceType: string): FluxgateError {
    return new FluxgateError('PROFILE_EXISTS', `You already have a profile for device type "${deviceType}": change that one, or pick another device_type`, { device_type: deviceType });
  }
}

function refuse(code: 'INVALID_COMMAND' | 'INVALID_DESIRED_STATE', profile: Profile, problems: ProfileProblem[]): void {
  const first = problems[0];
  if (!first) return;
  throw new FluxgateError(code, `${first.message} (profile ${profile.id})`, { profile: profile.id, problems });
}

const notFound = (id: string) => new FluxgateError('PROFILE_NOT_FOUND', `Profile ${id} not found`);
const builtinReadOnly = (id: string) =>
  new FluxgateError('PROFILE_READ_ONLY', `Profile ${id} is built in and cannot be changed; copy it (POST /api/v1/profiles/${id}/copy) and change the copy`);

function stripMeta(p: Profile): ProfileDefinition {
  const { id: _id, builtin: _builtin, owner_id: _owner, created_at: _created, updated_at: _updated, ...definition } = p;
  return definition;
}

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
