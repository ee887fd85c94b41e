import { openDatabase } from '@/server/db';

/**
 * Run as a separate process by the migration tests: opens the database named by argv (URL or '',
 * data folder) and prints the migrations it applied as JSON. SQLite's driver blocks its thread
 * while it waits for the file lock, so concurrent start-ups must be separate processes, as they
 * are in production (web node + worker).
 */
const [databaseUrl, dataDir] = process.argv.slice(2);
const quiet = { info() {}, warn() {} };
const db = await openDatabase({ databaseUrl: databaseUrl || undefined, dataDir: dataDir ?? '.', log: quiet });
process.stdout.write(JSON.stringify(db.migrations.applied));
await db.close();
