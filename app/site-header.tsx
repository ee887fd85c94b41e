import type { ReactNode } from 'react';
import { can, isRole, type Permission } from '@/lib/roles';
import { UserMenu } from './account/user-menu';
import { ResearchBadge } from './research-badge';

const LINKS: { href: string; label: string; permission: Permission }[] = [
  { href: '/', label: 'Worklist', permission: 'readWorklist' },
  { href: '/operations', label: 'Operations', permission: 'readOperations' },
  { href: '/audit', label: 'Audit history', permission: 'readAudit' },
  { href: '/upload', label: 'Upload', permission: 'storeStudies' },
  { href: '/admin/users', label: 'Users', permission: 'administer' },
  { href: '/admin/tokens', label: 'Service tokens', permission: 'administer' },
  { href: '/admin/quarantine', label: 'Quarantine', permission: 'administer' },
];

/**
 * Every page's header: title, the pages this role may open (and only those), and who is signed
 * in. `extra` sits beside the user menu (the connection indicator on live pages).
 */
export function SiteHeader({ title, subtitle, user, current, extra }: { title: string; subtitle?: ReactNode; user: { username: string; role: string }; current: string; extra?: ReactNode }) {
  const links = LINKS.filter((l) => isRole(user.role) && can(user.role, l.permission));
  return (
    <header className="flex flex-wrap items-center justify-between gap-4 border-b border-edge pb-4">
      <div>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <ResearchBadge />
        </div>
        {subtitle && <p className="text-sm text-muted">{subtitle}</p>}
        {links.length > 1 && (
          <nav aria-label="Pages" className="mt-2 flex flex-wrap gap-4 text-sm">
            {links.map((l) => (
              <a
                key={l.href}
                href={l.href}
                aria-current={l.href === current ? 'page' : undefined}
                className={l.href === current ? 'font-medium text-ink' : 'text-muted underline decoration-edge underline-offset-4 hover:text-ink hover:decoration-ink'}
              >
                {l.label}
              </a>
            ))}
          </nav>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-4">
        {extra}
        <UserMenu username={user.username} role={user.role} />
      </div>
    </header>
  );
}
