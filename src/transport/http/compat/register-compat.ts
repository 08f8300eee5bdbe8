// Registers the compatibility APIs COMPAT_APIS turns on, one adapter per replaced system.
// The IoT Temperature Control System documents no HTTP endpoints (its services talk to each other
// and its simulator); its control loop is Fluxgate's desired state, so it has no adapter here.
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../http-deps.ts';
import type { DashboardFallback } from './browser-pages.ts';
import { energyManagementSystem } from './energy-management-system.ts';
import { iotMockService } from './iot-mock-service.ts';
import { iotflow } from './iotflow.ts';
import { smartHomeIotDataService } from './smart-home-iot-data-service.ts';

export async function registerCompatApis(app: FastifyInstance, deps: HttpDeps, dashboard: DashboardFallback | undefined): Promise<void> {
  const compat = deps.compat;
  if (!compat) return;
  const on = compat.systems;
  if (on.has('smart-home-iot-data-service')) await smartHomeIotDataService(app, deps, dashboard);
  if (on.has('iot-mock-service')) iotMockService(app, deps);
  if (on.has('iotflow')) iotflow(app, deps, compat);
  if (on.has('energy-management-system')) energyManagementSystem(app, deps);
}
