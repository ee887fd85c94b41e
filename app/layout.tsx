import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'ICH Triage',
  description: 'Real-time triage of intracranial hemorrhage on head CT',
  icons: { icon: { url: '/favicon.svg', type: 'image/svg+xml' } },
};

export const viewport: Viewport = { themeColor: '#0b1017', width: 'device-width', initialScale: 1 };

/**
 * Every page renders per request: Next stamps the CSP nonce (proxy.ts) on its scripts only while
 * rendering, so a page prerendered at build time (Next's own 404 for an unknown address was one)
 * would have its scripts refused by the policy.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">{children}</body>
    </html>
  );
}
