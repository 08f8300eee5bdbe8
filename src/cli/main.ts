// The `fluxgate` command: the single entry point (npm start runs `fluxgate start`).
import { Command } from 'commander';
import { ConfigError, describeConfig, loadConfig } from '../config.ts';
import { openStorage } from '../storage/open-storage.ts';
import { VERSION, createPlatform } from './platform.ts';
import { StartupError } from './listen.ts';
import { compactCommand, createUserCommand, resetPasswordCommand, storageReport } from './admin.ts';
import { BackupError, backupCommand, restoreCommand } from './backup.ts';
import { registerSimulate } from './simulate.ts';
import { registerImport } from './import-command.ts';
import { attachDemo } from './demo.ts';
import { simulationRoutes } from './simulation-routes.ts';

function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof StartupError || err instanceof BackupError) console.error(`fluxgate: ${err.message}`);
  else console.error(`fluxgate: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
}

const program = new Command('fluxgate').version(VERSION).description('Fluxgate IoT platform');

program
  .command('start')
  .description('Run the platform: HTTP API, ingest, storage (SQLite in DATA_DIR, or PostgreSQL with DATABASE_URL)')
  .option('--demo', 'also run the embedded simulator with the IoT Mock Service\'s five devices and one of every other kind (DEMO=true)')
  .action(async (opts: { demo?: boolean }) => {
    const config = loadConfig(opts.demo ? { ...process.env, DEMO: 'true' } : process.env);
    const platform = await createPlatform(config);
    const demo = config.DEMO ? attachDemo(platform) : undefined;
    // Without the demo the simulation API still answers, with SIMULATION_NOT_RUNNING saying how to start it.
    if (!demo) simulationRoutes(platform.http, platform.auth, () => undefined);
    if (platform.generatedAdminPassword) {
      console.log(
        `\n  First start: created admin user "${config.ADMIN_USERNAME}" with password\n\n      ${platform.generatedAdminPassword}\n\n  It is shown only this once. Set ADMIN_PASSWORD to choose it yourself.\n`,
      );
    }
    try {
      const { port } = await platform.listen();
      await demo?.start(port);
    } catch (err) {
      await platform.stop().catch(() => {});
      throw err;
    }
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      platform.logger.info({ signal }, 'stopping');
      (demo?.stop() ?? Promise.resolve())
        .then(() => platform.stop())
        .then(
        () => process.exit(0),
        (err: unknown) => {
          platform.logger.error({ err }, 'stop failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('migrate')
  .description('Apply pending storage migrations and exit')
  .action(async () => {
    const storage = openStorage(loadConfig());
    const version = await storage.migrate();
    await storage.close();
    console.log(`storage schema at version ${version}`);
  });

const admin = program.command('admin').description('Administration');
admin
  .command('create-user')
  .description('Create a user (role user or admin)')
  .requiredOption('--username <name>')
  .requiredOption('--password <password>', 'at least 8 characters')
  .option('--email <email>')
  .option('--role <role>', 'user or admin', 'user')
  .action(async (opts: { username: string; password: string; email?: string; role: string }) => {
    console.log(await createUserCommand(loadConfig(), opts));
  });

admin
  .command('reset-password')
  .description("Set a user's password and end all their sessions (for an operator locked out of the dashboard)")
  .requiredOption('--username <name>', 'username or email')
  .requiredOption('--password <password>', 'at least 8 characters')
  .action(async (opts: { username: string; password: string }) => {
    console.log(await resetPasswordCommand(loadConfig(), opts));
  });

admin
  .command('storage')
  .description('Disk usage of the database, per table, with points stored and bytes per point')
  .action(async () => {
    console.log(await storageReport(loadConfig()));
  });

admin
  .command('compact')
  .description('Compact telemetry now: merge chunks per series and day, move an upgraded install\'s points into chunks (also done in the background)')
  .action(async () => {
    console.log(await compactCommand(loadConfig()));
  });

program
  .command('backup <folder>')
  .description('Online backup of a SQLite install (database and device files) into a new folder, while the platform runs; PostgreSQL: use pg_dump')
  .action(async (folder: string) => {
    const m = await backupCommand(loadConfig(), folder, (percent) => process.stderr.write(`\rbacking up: ${percent}%`));
    process.stderr.write('\n');
    console.log(`backup in ${folder}: schema ${m.schema_version}, database ${m.database_bytes} bytes, ${m.files} device files`);
  });

program
  .command('restore <folder>')
  .description('Restore a backup made by `fluxgate backup` into DATA_DIR (the platform must be stopped); the database there is kept beside it')
  .option('--replace', 'DATA_DIR already has a database: keep it as fluxgate.db.before-restore-<time> and restore over it')
  .action(async (folder: string, opts: { replace?: boolean }) => {
    const { manifest, keptAs } = await restoreCommand(loadConfig(), folder, opts.replace === true);
    console.log(`restored the backup of ${manifest.created_at} (schema ${manifest.schema_version})${keptAs ? `; the previous database is kept as ${keptAs}` : ''}; start the platform to use it`);
  });

registerSimulate(program, fail);
registerImport(program);

program
  .command('config')
  .description('Print every setting with its default, as the README table')
  .action(() => {
    console.log('| Setting | Default | Description |\n|---|---|---|');
    for (const row of describeConfig()) console.log(`| \`${row.key}\` | ${row.default ? `\`${row.default}\`` : '—'} | ${row.description} |`);
  });

program.parseAsync(process.argv).catch(fail);
