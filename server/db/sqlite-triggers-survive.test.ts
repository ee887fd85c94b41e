import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// SQLite cannot ALTER most columns: Prisma's migrations rebuild the table (CREATE new_T, copy,
// DROP TABLE T, RENAME), and DROP TABLE drops the table's triggers with it. Our triggers carry rules
// (escalated studies stay in tier -1; the audit journal cannot be updated or deleted), so every
// rebuild of a table must be followed, in the same migration or a later one, by re-creating each
// trigger that table had. A migration generated from a schema change does not do that by itself.
const dir = path.join(process.cwd(), 'prisma', 'migrations');

function migrations(): { name: string; sql: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));
}

/** Position of each statement in the whole migration history: [migration index, offset]. */
function triggersAfterAllMigrations(): Map<string, { table: string; alive: boolean; droppedBy?: string }> {
  const triggers = new Map<string, { table: string; alive: boolean; droppedBy?: string }>();
  const statement = /CREATE TRIGGER "([^"]+)"[^;]*? ON "([^"]+)"|DROP TABLE "([^"]+)"|DROP TRIGGER (?:IF EXISTS )?"([^"]+)"/g;
  for (const m of migrations()) {
    for (const s of m.sql.matchAll(statement)) {
      if (s[1] && s[2]) triggers.set(s[1], { table: s[2], alive: true });
      else if (s[3]) {
        for (const [, t] of triggers) if (t.table === s[3] && t.alive) Object.assign(t, { alive: false, droppedBy: m.name });
      } else if (s[4]) {
        const t = triggers.get(s[4]);
        if (t) t.alive = false;
      }
    }
  }
  return triggers;
}

describe('SQLite migrations keep the triggers', () => {
  it('knows the rule-carrying triggers', () => {
    const names = [...triggersAfterAllMigrations().keys()];
    expect(names).toEqual(expect.arrayContaining(['Study_escalated_stays_on_top', 'AuditEvent_no_update', 'AuditEvent_no_delete']));
  });

  it('every trigger is alive after the last migration (re-created after each rebuild of its table)', () => {
    const dead = [...triggersAfterAllMigrations()].filter(([, t]) => !t.alive).map(([name, t]) => `${name} (dropped by ${t.droppedBy ?? 'DROP TRIGGER'})`);
    expect(dead).toEqual([]);
  });
});
