import { defineConfig } from 'vite';

/**
 * The dashboard page: `npm run build:web` writes static files to dist/web, which the product
 * serves at `/` (src/http/web-assets.ts). `npx vite --config web/vite.config.ts` serves it with
 * hot reload, proxying the API (HTTP and WebSocket) to API_URL (default http://localhost:4000).
 */
export default defineConfig({
  // Relative to this file, so the build works from any working directory.
  root: import.meta.dirname,
  base: '/',
  // Vite 8 compiles TypeScript and JSX with Oxc: JSX goes to Preact's automatic runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // Browsers get one small bundle; the numbers under each chart are the accessible fallback.
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/graphql': { target: process.env.API_URL ?? 'http://localhost:4000', ws: true, changeOrigin: true },
    },
  },
});
