/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
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
