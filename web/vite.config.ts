import { defineConfig } from 'vite';

// `vite build web` runs with web/ as the root: output goes to web/dist, served by src/http/web.ts.
// `npx vite web` serves the page with hot reload and sends /api to a server started with `npm start`.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Everything ships as files under /assets: nothing inlined, nothing fetched from elsewhere.
    assetsInlineLimit: 0,
    rollupOptions: {
      // zod's sources carry /*#__PURE__*/ notes where Rollup cannot use them; harmless, and not ours.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
});
