import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web UI (staff desk and discovery) is one Vite build served by the Fastify server.
export default defineConfig({
  root: 'src/web',
  plugins: [react()],
  build: { outDir: '../../dist/web', emptyOutDir: true },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
