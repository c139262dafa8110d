// Builds the app into internal/webapp/dist/, which the server embeds (build.sh runs this).
// The typed client is compiled in from ../client/src: its imports of @urql/core, graphql-ws and
// the TypedDocumentNode types resolve to this folder's node_modules, so `npm ci` here is enough.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@invites/client': here('../client/src/index.ts'),
      '@urql/core': here('./node_modules/@urql/core'),
    },
    // graphql-ws is imported by subpath (graphql-ws/client), which an alias to a folder cannot
    // resolve; dedupe resolves it from this folder, through its package.json's exports.
    dedupe: ['graphql-ws'],
  },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: here('../internal/webapp/dist'),
    // build.sh removes the previous build but keeps dist/README.md, which go:embed needs.
    emptyOutDir: false,
    // No inline scripts or styles: the Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    rollupOptions: {
      output: {
        // The invitee's pages' languages (FormatJS and the catalogs, src/locales/) as a chunk of
        // their own, beside the app's: a catalog's edit leaves the app's chunk cached.
        manualChunks: (id) => (id.includes('/src/locales/') || id.includes('/node_modules/@formatjs/') ? 'i18n' : undefined),
      },
    },
  },
});
