import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from '../../../contract/http/common.ts';
import {
  createDeviceBody,
  deviceIdParam,
  deviceListItem,
  deviceSummaryView,
  deviceView,
  listDevicesQuery,
  updateDeviceBody,
} from '../../../contract/http/devices.ts';
import { deleteDeviceQuery } from '../../../contract/http/files.ts';
import type { DevicePatch } from '../../../domain/device.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';
import { deviceToView, latestToView } from '../views.ts';

const createdDevice = deviceView.extend({ api_key: z.string().describe('Shown once: store it now') });
/** IoTFlow's register answer nests the device under `device` with a `message`; ours stays beside it. */
const registeredDevice = createdDevice.extend({
  message: z.string().optional().describe('POST /devices/register only (IoTFlow)'),
  device: createdDevice.extend({ user_id: z.string() }).optional().describe('POST /devices/register only (IoTFlow): the device again, as IoTFlow nests it'),
});
const security = [{ bearer: [] }];

const ONLINE_RULE =
  'A device is online when this node knows it connected (MQTT) and not since disconnected, or, without such knowledge, ' +
  'when its last_seen is within OFFLINE_AFTER seconds: the same rule as each device\'s `online` field. ' +
  'Approximation: with several nodes, a node knows only the connections of its own broker; devices connected elsewhere count by ' +
  'their last_seen, which nodes store every PRESENCE_FLUSH_MS.';

const LIST_DESCRIPTION =
  `Filters combine (AND). \`total\` counts every match; a page and its total come from one judgement of online state. ${ONLINE_RULE} ` +
  'Sorting by name is case-insensitive (ASCII letters; SQLite folds no other case in sorts), by last_seen puts never-seen devices last ' +
  'in both orders (the stored last_seen, up to PRESENCE_FLUSH_MS behind), and ties are broken by id, so pages never overlap. ' +
  'Each device carries `latest`, read for the whole page at once.';

const SUMMARY_DESCRIPTION =
  `Counts over the devices you may see (admins: all), computed in the database. ${ONLINE_RULE} ` +
  'The ingest rate is points stored per second over the last minute on the answering node: for admins all points (scope "platform"), ' +
  'for other users the points of their visible devices (scope "visible_devices").';

/** The IoT Mock Service's base_power / base_voltage, merged into the config they are kept in. */
function withBase(config: Record<string, unknown>, b: { base_power?: number | undefined; base_voltage?: number | undefined }): Record<string, unknown> {
  return { ...config, ...(b.base_power === undefined ? {} : { base_power: b.base_power }), ...(b.base_voltage === undefined ? {} : { base_voltage: b.base_voltage }) };
}

function toPatch(body: z.output<typeof updateDeviceBody>): DevicePatch {
  return {
    name: body.name,
    description: body.description,
    deviceType: body.device_type,
    location: body.location,
    firmwareVersion: body.firmware_version,
    hardwareVersion: body.hardware_version,
    status: body.status,
    metadata: body.metadata,
    config: body.config,
  };
}

export function deviceRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['devices'];
  const view = (d: Parameters<typeof deviceToView>[0]) => deviceToView(d, deps.options.offlineAfterMs);

  for (const url of ['/api/v1/devices', '/api/v1/devices/register']) {
    r.post(
      url,
      {
        schema: {
          tags,
          summary: url.endsWith('register') ? 'Register a device (alias of POST /devices, IoTFlow)' : 'Create a device',
          security,
          body: createDeviceBody,
          response: { 201: url.endsWith('register') ? registeredDevice : createdDevice, 409: errorResponse },
        },
      },
      async (request, reply) => {
        const principal = await requireUser(deps.auth, request);
        const b = request.body;
        const { device, apiKey } = await deps.devices.create(principal, {
          id: b.id,
          name: b.name,
          description: b.description,
          deviceType: b.device_type,
          location: b.location,
          firmwareVersion: b.firmware_version,
          hardwareVersion: b.hardware_version,
          status: b.status,
          metadata: b.metadata,
          config: withBase(b.config, b),
        });
        const created = { ...view(device), api_key: apiKey };
        const iotflow = url.endsWith('register') ? { message: 'Device registered successfully', device: { ...created, user_id: created.owner_id } } : {};
        return reply.code(201).send({ ...created, ...iotflow });
      },
    );
  }

  r.get(
    '/api/v1/devices',
    {
      schema: {
        tags,
        summary: 'List the devices you may see, filtered, sorted and paginated, with their latest values',
        description: LIST_DESCRIPTION,
        security,
        querystring: listDevicesQuery,
        response: { 200: z.object({ devices: z.array(deviceListItem), total: z.number(), limit: z.number(), offset: z.number() }) },
      },
    },
    async (request) => {
      const principal = await requireUser(deps.auth, request);
      const q = request.query;
      const now = Date.now();
      const online = q.online === undefined ? undefined : q.online === 'true';
      const page = await deps.devices.list(principal, {
        deviceType: q.device_type ?? q.type,
        location: q.location,
        status: q.status,
        text: q.q ?? q.search,
        online,
        connectivity: online === undefined ? undefined : deps.devices.connectivity(deps.options.offlineAfterMs, now),
        sort: q.sort,
        order: q.order,
        limit: q.limit,
        offset: q.offset,
      });
      const latest = await deps.latest.of(page.items);
      const devices = page.items.map((d) => ({ ...deviceToView(d, deps.options.offlineAfterMs, now), latest: latestToView(latest.get(d.id)) }));
      return { devices, total: page.total, limit: q.limit, offset: q.offset };
    },
  );

  r.get(
    '/api/v1/devices/summary',
    {
      schema: {
        tags,
        summary: 'Fleet overview: devices you may see by online state, status and type, and the live ingest rate',
        description: SUMMARY_DESCRIPTION,
        security,
        response: { 200: deviceSummaryView },
      },
    },
    async (request) => {
      const s = await deps.summary.summary(await requireUser(deps.auth, request));
      return {
        total: s.total,
        online: s.online,
        offline: s.offline,
        by_status: s.byStatus,
        by_type: s.byType,
        ingest: { points_per_second: s.ingestPointsPerSecond, scope: s.ingestScope },
      };
    },
  );

  r.get(
    '/api/v1/devices/:id',
    { schema: { tags, summary: 'Get a device', security, params: deviceIdParam, response: { 200: deviceView, 404: errorResponse } } },
    async (request) => view(await deps.devices.get(await requireUser(deps.auth, request), request.params.id)),
  );

  r.get(
    '/api/v1/devices/:id/status',
    {
      schema: {
        tags,
        summary: 'Status and presence of a device',
        security,
        params: deviceIdParam,
        response: { 200: deviceView.pick({ id: true, status: true, online: true, last_seen: true }) },
      },
    },
    async (request) => {
      const d = view(await deps.devices.get(await requireUser(deps.auth, request), request.params.id));
      return { id: d.id, status: d.status, online: d.online, last_seen: d.last_seen };
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    r.route({
      method,
      url: '/api/v1/devices/:id',
      schema: { tags, summary: 'Update a device (only the fields given)', security, params: deviceIdParam, body: updateDeviceBody, response: { 200: deviceView } },
      handler: async (request) => {
        const principal = await requireUser(deps.auth, request);
        const b = request.body;
        const patch = toPatch(b);
        if (b.base_power !== undefined || b.base_voltage !== undefined) {
          patch.config = withBase(b.config ?? (await deps.devices.get(principal, request.params.id)).config, b);
        }
        return view(await deps.devices.update(principal, request.params.id, patch));
      },
    });
  }

  r.delete(
    '/api/v1/devices/:id',
    {
      schema: {
        tags,
        summary: 'Delete a device with all its telemetry, logs and files (needs ?confirm=true)',
        security,
        params: deviceIdParam,
        querystring: deleteDeviceQuery,
      },
    },
    async (request, reply) => {
      await deps.devices.remove(await requireUser(deps.auth, request), request.params.id, request.query.confirm === 'true');
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/devices/:id/api-key',
    {
      schema: {
        tags,
        summary: 'Rotate the device API key; the old key stops working at once',
        security,
        params: deviceIdParam,
        response: { 200: z.object({ id: z.string(), api_key: z.string() }) },
      },
    },
    async (request) => {
      const apiKey = await deps.devices.rotateKey(await requireUser(deps.auth, request), request.params.id);
      return { id: request.params.id, api_key: apiKey };
    },
  );

  for (const [url, column] of [
    ['/api/v1/device-types', 'device_type'],
    ['/api/v1/device-locations', 'location'],
  ] as const) {
    r.get(
      url,
      { schema: { tags, summary: `Distinct ${column} values of the devices you may see`, security, response: { 200: z.array(z.string()) } } },
      async (request) => deps.devices.distinct(await requireUser(deps.auth, request), column),
    );
  }
}
