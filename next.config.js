// Next.js configuration. Packages with WASM or native parts are loaded from node_modules at run
// time instead of being bundled, so their binary files are found where npm put them.
/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: [
    '@electric-sql/pglite',
    '@node-rs/argon2',
    'postgres',
    'quickjs-emscripten-core',
    '@jitl/quickjs-wasmfile-release-sync',
    'undici',
    // Temporal's client side (gRPC, protobuf) is used as installed rather than bundled.
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    '@temporalio/workflow',
    '@grpc/grpc-js',
  ],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
