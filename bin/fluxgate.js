#!/usr/bin/env node
// Entry point of the `fluxgate` command. Sources are TypeScript run through tsx, so a fresh
// clone needs no build step: `npm install && npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
