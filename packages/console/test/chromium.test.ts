import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ChromiumMissingError, findChromium } from './chromium.js';

describe('Chromium for the browser tests', () => {
  it('comes from the npm package when neither WEFT_CHROMIUM nor the system browser exists', async () => {
    const path = await findChromium({ env: {}, systemChromium: '/nonexistent/chromium' });
    expect(path).toMatch(/\.cache\/weft-chromium-[\d.]+\/chromium$/);
    expect(existsSync(path)).toBe(true);
    const browser = await chromium.launch({
      executablePath: path,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-dev-shm-usage',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.setContent('<button onclick="this.textContent = \'clicked\'">click me</button>');
      await page.click('button');
      expect(await page.textContent('button')).toBe('clicked');
    } finally {
      await browser.close();
    }
  });

  it('is unpacked once: a second lookup finds the same binary', async () => {
    const options = { env: {}, systemChromium: '/nonexistent/chromium' };
    expect(await findChromium(options)).toBe(await findChromium(options));
  });

  it('names WEFT_CHROMIUM when it points at nothing', async () => {
    const error = await findChromium({ env: { WEFT_CHROMIUM: '/no/such/chromium' } }).catch((e) => e);
    expect(error).toBeInstanceOf(ChromiumMissingError);
    expect(error.code).toBe('CHROMIUM_MISSING');
    expect(error.message).toContain('WEFT_CHROMIUM names /no/such/chromium');
  });
});
