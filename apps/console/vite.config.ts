import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The front end: web/ → dist-web/, served by the console server with @fastify/static. */
export default defineConfig({
  root: `${here}web`,
  base: '/',
  plugins: [react()],
  build: { outDir: `${here}dist-web`, emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
