/**
 * Who may do what. Roles mirror the Prisma `Role` enum; `integration` is for service accounts (API
 * tokens) that send studies and may read nothing. Route handlers name a permission, never a list of
 * roles, so the whole matrix is this one table (tested in server/auth/role-matrix.test.ts).
 * Isomorphic (no server imports): pages show and hide what the same table allows.
 */
export const ROLES = ['clinician', 'radiologist', 'admin', 'integration'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a person can sign in with (integration is for tokens only). */
export const USER_ROLES = ['clinician', 'radiologist', 'admin'] as const satisfies readonly Role[];
export type UserRole = (typeof USER_ROLES)[number];

export const PERMISSIONS = {
  /** The worklist, study details, the dashboard and its live updates: patient data. */
  readWorklist: ['clinician', 'radiologist', 'admin'],
  /** DICOMweb STOW-RS and other ingest endpoints. */
  storeStudies: ['integration', 'admin'],
  /** Users and tokens. */
  administer: ['admin'],
  /** The operations page: throughput, speed, queue, flag and disagreement rates, errors. */
  readOperations: ['radiologist', 'admin'],
  /** Clinician actions on a study: acknowledge, assign, feedback, escalate, report, dismiss. */
  actOnStudies: ['clinician', 'radiologist', 'admin'],
  /**
   * The patient's name, ID, birth date and accession number in the study view. Those who treat
   * patients need them to act; administrators run the system and see only the masked display.
   */
  viewPatientIdentity: ['clinician', 'radiologist'],
  /** The global audit journal and its CSV export (a study's own timeline needs readWorklist). */
  readAudit: ['radiologist', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** True when `role` is a known role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `role` holds `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
