import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to static files that `weft serve` serves at `/`; `npm run dev` proxies the API to a
// running `weft serve` (WEFT_URL, default http://127.0.0.1:4000).
const api = process.env.WEFT_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, assetsDir: 'assets' },
  server: { proxy: { '/api': api, '/webhooks': api, '/oauth': api } },
});
