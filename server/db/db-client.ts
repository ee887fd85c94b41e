import type { PrismaClient as SqliteClient } from './generated/sqlite/client';

/**
 * The Prisma client the rest of the server uses, whichever database is behind it. Both generated
 * clients come from the same models (prisma/postgresql/schema.prisma is derived from
 * prisma/schema.prisma), so their model APIs agree; the SQLite client's type is used because
 * SQLite's feature set is the smaller one, so code written against it runs on both.
 */
export type DbClient = SqliteClient;

export type { Prisma } from './generated/sqlite/client';
export * from './generated/sqlite/enums';
