// Headers every response carries: no MIME sniffing, no referrer leaving the site (URLs carry study
// UIDs), no framing, no powerful browser features. The page CSP (a per-request nonce) is set in
// proxy.ts. e2e/security-headers.spec.ts checks both on the running server.
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A separate build folder when asked (NEXT_DIST_DIR), so two builds in one checkout never collide.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }];
  },
  // `npm run typecheck` type-checks the whole project (tests included) as its own gate.
  typescript: { ignoreBuildErrors: true },
  // Native and WASM packages run on the server as plain Node modules, never bundled.
  serverExternalPackages: [
    'dicom-parser',
    'dcmjs',
    'pino',
    '@node-rs/argon2',
    '@cornerstonejs/codec-charls',
    '@cornerstonejs/codec-libjpeg-turbo-8bit',
    '@cornerstonejs/codec-openjpeg',
    '@cornerstonejs/codec-openjph',
  ],
};

export default nextConfig;
