// The Smart Home IoT Data Service's unprefixed paths (/devices, /devices/{id}) are also pages of
// the dashboard. A browser navigating there (asks for HTML, sends no credentials) keeps getting the
// dashboard; API clients (JSON, a bearer token or a device key) reach the compatibility route.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

export type DashboardFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

export function isBrowserNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

/** onRequest hook: hands browser navigations to the dashboard's single-page-app fallback. */
export function dashboardForBrowsers(fallback: DashboardFallback | undefined): onRequestHookHandler {
  return (request, reply, done) => {
    if (fallback && isBrowserNavigation(request) && fallback(request, reply)) return;
    done();
  };
}
