// Access tokens: HS256 JWTs with issuer and audience, verified with an explicit algorithm list so
// `alg: none` and algorithm-confusion tokens are refused.
import { SignJWT, jwtVerify, errors } from 'jose';
import { FluxgateError } from '../contract/errors.ts';
import type { Role } from '../domain/user.ts';

const ISSUER = 'fluxgate';
const AUDIENCE = 'fluxgate-api';

export interface AccessClaims {
  userId: string;
  role: Role;
  username: string;
}

export interface VerifiedClaims extends AccessClaims {
  /** When the token was issued, in milliseconds (compared with the user's session cut-off). */
  issuedAtMs: number;
}

/** Verified tokens remembered (a signed-in client sends the same one with every request); at most this many. */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature and claims held, with their expiry (ms): checking an HS256 signature costs
   * ~0.3 ms, a read of the latest value about as much. A token's text fixes its claims, so only the
   * expiry is checked again on a hit; a session ended since is the caller's check (stillSignedIn).
   */
  private readonly verified = new Map<string, { claims: VerifiedClaims; expiresAtMs: number }>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  get accessTtlSeconds(): number {
    return this.ttlSeconds;
  }

  async issue(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, name: claims.username, ims: Date.now() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<VerifiedClaims> {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAtMs) return { ...known.claims };
    this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'admin' && role !== 'user')) {
        throw new FluxgateError('INVALID_TOKEN', 'The access token lacks a subject or role');
      }
      const issuedAtMs = typeof payload.ims === 'number' ? payload.ims : (payload.iat ?? 0) * 1000;
      const claims: VerifiedClaims = { userId: payload.sub, role, username: typeof payload.name === 'string' ? payload.name : '', issuedAtMs };
      // jose refuses a token once the clock reaches its exp (in seconds); a token without one is not cached.
      if (typeof payload.exp === 'number') {
        if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
        this.verified.set(token, { claims, expiresAtMs: payload.exp * 1000 });
      }
      return claims;
    } catch (err) {
      if (err instanceof FluxgateError) throw err;
      if (err instanceof errors.JWTExpired) throw new FluxgateError('TOKEN_EXPIRED', undefined, { reason: 'expired' });
      if (err instanceof errors.JWTClaimValidationFailed) {
        const reason = err.claim === 'nbf' ? 'not_yet_valid' : err.claim === 'aud' ? 'audience' : err.claim === 'iss' ? 'issuer' : 'claim';
        throw new FluxgateError('INVALID_TOKEN', `The access token's ${err.claim} claim is not valid`, { reason, claim: err.claim });
      }
      if (err instanceof errors.JOSEAlgNotAllowed) {
        throw new FluxgateError('INVALID_TOKEN', 'The access token is not signed with HS256', { reason: 'algorithm' });
      }
      if (err instanceof errors.JWSSignatureVerificationFailed) {
        throw new FluxgateError('INVALID_TOKEN', 'The access token signature is wrong', { reason: 'signature' });
      }
      throw new FluxgateError('INVALID_TOKEN', 'The access token is malformed', { reason: 'malformed' });
    }
  }
}
