import { WORKLIST_ROOM, type RoomName } from '@/lib/realtime-events';
import { can, isRole } from '@/lib/roles';

/**
 * The rooms a connected principal joins. Today every reader joins the one worklist room; per-site
 * rooms (`site:<id>`) would be added here from the principal's sites.
 */
export function roomsFor(principal: unknown): RoomName[] {
  const role = (principal as { role?: unknown } | null)?.role;
  return typeof role === 'string' && isRole(role) && can(role, 'readWorklist') ? [WORKLIST_ROOM] : [];
}
