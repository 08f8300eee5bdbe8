// Whether the whole cluster (nginx, Mosquitto, PostgreSQL) can run here: `undefined`, or the reason
// to skip. Under CI=true a missing piece fails instead (the helpers throw), so CI cannot pass by skipping.
import { nginxBinary } from '../../scripts/cluster/nginx.ts';
import { privateMosquittoSkipReason } from '../helpers/private-services.ts';
import { postgresSkipReason } from '../helpers/services.ts';

export async function clusterSkipReason(): Promise<string | undefined> {
  if (!nginxBinary()) {
    const message = 'nginx not installed (apt-get install -y nginx)';
    if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires it`);
    console.warn(`SKIP: ${message}`);
    return `SKIP: ${message}`;
  }
  return privateMosquittoSkipReason() ?? (await postgresSkipReason());
}
