import { defineConfig } from 'vitest/config';

// `npm run screenshots -w @weft/console`: renders the main pages into docs/images/*.png.
export default defineConfig({
  test: {
    include: ['test/screenshots.shots.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
