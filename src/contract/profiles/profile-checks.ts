// What a profile allows: commands and their parameters, desired-state keys, expected field ranges.
// Pure functions, so the platform refuses a bad command before it reaches the device and the
// dashboard can say the same thing before it is sent.
import type { FieldSpec, ParamSpec, ProfileDefinition } from './profile.ts';

/** One reason a command or desired state is refused, naming the parameter and what it allows. */
export interface ProfileProblem {
  parameter: string;
  message: string;
  allowed?: { min?: number | null; max?: number | null; unit?: string | null; values?: readonly string[] } | undefined;
}

const withUnit = (n: number, unit: string | null) => (unit ? `${n} ${unit}` : String(n));

/** The range of a numeric spec in words: "between 5 and 35 °C", "at least 0 W". */
export function describeRange(spec: { min: number | null; max: number | null; unit: string | null }): string {
  if (spec.min !== null && spec.max !== null) return `between ${spec.min} and ${withUnit(spec.max, spec.unit)}`;
  if (spec.min !== null) return `at least ${withUnit(spec.min, spec.unit)}`;
  if (spec.max !== null) return `at most ${withUnit(spec.max, spec.unit)}`;
  return 'a number';
}

/** Checks one value against its parameter spec; undefined when it fits. */
export function checkParam(spec: ParamSpec, value: unknown, path = spec.key): ProfileProblem | undefined {
  const problem = (message: string, allowed?: ProfileProblem['allowed']): ProfileProblem => ({ parameter: path, message: `${path} ${message}`, allowed });
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : problem('must be true or false');
    case 'string':
      return typeof value === 'string' ? undefined : problem('must be a string');
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? undefined : problem(`must be one of ${spec.values.join(', ')}`, { values: spec.values });
    case 'number':
    case 'integer': {
      const allowed = { min: spec.min, max: spec.max, unit: spec.unit };
      if (typeof value !== 'number' || !Number.isFinite(value)) return problem(`must be ${spec.type === 'integer' ? 'a whole number' : 'a number'} ${describeRange(spec)}`, allowed);
      if (spec.type === 'integer' && !Number.isInteger(value)) return problem(`must be a whole number ${describeRange(spec)}`, allowed);
      const outside = (spec.min !== null && value < spec.min) || (spec.max !== null && value > spec.max);
      return outside ? problem(`must be ${describeRange(spec)}`, allowed) : undefined;
    }
  }
}

/** Problems of a command for a device of this profile; empty when it may be sent. */
export function checkCommand(profile: ProfileDefinition, name: string, parameters: Record<string, unknown>): ProfileProblem[] {
  const spec = profile.commands.find((c) => c.name === name);
  if (!spec) {
    if (profile.open_commands) return [];
    const names = profile.commands.map((c) => c.name);
    return [{ parameter: 'command', message: `${profile.device_type} has no command "${name}" (known: ${names.join(', ') || 'none'})`, allowed: { values: names } }];
  }
  const problems: ProfileProblem[] = [];
  for (const param of spec.params) {
    const value = parameters[param.key];
    if (value === undefined || value === null) {
      if (param.required) problems.push({ parameter: param.key, message: `${param.key} is required (${describeParam(param)})`, allowed: allowedOf(param) });
      continue;
    }
    const problem = checkParam(param, value);
    if (problem) problems.push(problem);
  }
  const known = new Set(spec.params.map((p) => p.key));
  for (const key of Object.keys(parameters)) {
    if (!known.has(key)) problems.push({ parameter: key, message: `${name} takes no parameter "${key}" (known: ${[...known].join(', ') || 'none'})` });
  }
  return problems;
}

/** Problems of a desired-state patch (a null member removes a key, always allowed). */
export function checkDesired(profile: ProfileDefinition, patch: Record<string, unknown>): ProfileProblem[] {
  if (profile.desired.length === 0 && profile.open_commands) return [];
  const problems: ProfileProblem[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) continue;
    const spec = profile.desired.find((d) => d.key === key);
    if (!spec) {
      const keys = profile.desired.map((d) => d.key);
      problems.push({ parameter: key, message: `${profile.device_type} has no desired-state key "${key}" (known: ${keys.join(', ') || 'none'})` });
      continue;
    }
    const problem = checkParam(spec, value);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Whether a stored reading lies outside its field's expected range (it is kept, and flagged). */
export function isOutOfRange(field: FieldSpec, value: unknown): boolean {
  if (typeof value === 'number') return (field.min !== null && value < field.min) || (field.max !== null && value > field.max);
  if (field.kind === 'enum' && Object.keys(field.labels).length > 0) return !(String(value) in field.labels);
  return false;
}

function describeParam(param: ParamSpec): string {
  if (param.type === 'number' || param.type === 'integer') return describeRange(param);
  if (param.type === 'enum') return `one of ${param.values.join(', ')}`;
  return param.type === 'boolean' ? 'true or false' : 'a string';
}

function allowedOf(param: ParamSpec): ProfileProblem['allowed'] {
  if (param.type === 'number' || param.type === 'integer') return { min: param.min, max: param.max, unit: param.unit };
  return param.type === 'enum' ? { values: param.values } : undefined;
}
