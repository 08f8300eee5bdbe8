// The Node.js flags the platform runs with: package.json's start script and bin/fluxgate.js's first
// line carry them, and so does bench:mqtt, which runs the platform in its own process
// (test/cli/node-flags.test.ts checks all three); the other benches start it with them.
//
// --max-semi-space-size=32: a young generation twice Node's default (64 MB instead of 32). A batch of
// points stays alive across its commit's round trip; with the default size a scavenge every few
// batches copied it, and copied it again into the old generation. A/B on 30 days of line protocol to
// PostgreSQL, 8 alternating rounds: +16% points/s (an A/A run of the same setup: ±1%); on SQLite,
// whose writer thread holds its batches, +4%, within noise. It costs up to 32 MB of memory more.
export const PLATFORM_NODE_FLAGS = ['--max-semi-space-size=32'];
