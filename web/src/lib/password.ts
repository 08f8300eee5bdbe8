// The shortest password the server accepts (registerBody in src/contract/http/auth.ts), checked here
// first so the form can say so plainly.
export const MIN_PASSWORD = 8;

/** Why a new password would be refused, or undefined when it is long enough. */
export function passwordProblem(password: string): string | undefined {
  return password.length < MIN_PASSWORD ? `The new password is too short: use at least ${MIN_PASSWORD} characters.` : undefined;
}
