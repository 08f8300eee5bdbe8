// Domain rules report bad input with this one error; the transports map `kind` to a wire code.
export type InvalidInputKind = 'telemetry' | 'time' | 'cursor' | 'validation';

export class InvalidInputError extends Error {
  constructor(
    readonly kind: InvalidInputKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
