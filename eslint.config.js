// Lint, including the dependency rule of DESIGN.md: contract and domain import nothing of ours;
// storage imports domain; services and rules import domain, storage and contract (rules also services); ingest and transport call
// services; the simulator and dashboard use the contract only; cli wires everything together.
import tseslint from 'typescript-eslint';

const layer = (name) => ({ group: [`**/${name}/**`, `**/${name}.ts`], message: `this layer may not import ${name} (DESIGN.md)` });
const STORAGE = layer('storage');
const SERVICES = layer('services');
const INGEST = layer('ingest');
const TRANSPORT = layer('transport');
const CLI = layer('cli');
const SIMULATOR = layer('simulator');
const CONTRACT = layer('contract');
const DOMAIN = layer('domain');
const CONFIG = { group: ['**/config.ts'], message: 'only cli reads the config module (DESIGN.md)' };

const restrict = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/dist/**', 'bench/results/**', 'test-artifacts/**', 'data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  restrict(['src/contract/**'], [DOMAIN, STORAGE, SERVICES, INGEST, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/domain/**'], [CONTRACT, STORAGE, SERVICES, INGEST, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/storage/**'], [CONTRACT, SERVICES, INGEST, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/services/**'], [INGEST, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/rules/**'], [INGEST, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/ingest/**'], [STORAGE, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/transport/**'], [STORAGE, CLI, SIMULATOR, CONFIG]),
  restrict(['src/connectors/**'], [STORAGE, TRANSPORT, CLI, SIMULATOR, CONFIG]),
  restrict(['src/simulator/**'], [DOMAIN, STORAGE, SERVICES, INGEST, TRANSPORT, CLI, CONFIG]),
  restrict(['web/src/**'], [DOMAIN, STORAGE, SERVICES, INGEST, TRANSPORT, CLI, CONFIG]),
);
