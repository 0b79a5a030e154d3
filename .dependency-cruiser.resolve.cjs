/**
 * How dependency-cruiser (.dependency-cruiser.cjs) resolves imports to TypeScript sources, in
 * the shape of a webpack `resolve` section, so that the layer check needs no build.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * `@weft/sdk/model` → `packages/sdk/src/model/index.ts`: each package export resolves to its
 * TypeScript source, read off the package's `exports` (no build needed, no second list to keep).
 */
function sourceAliases() {
  const alias = {};
  for (const pkg of ['sdk', 'platform']) {
    const dir = join(__dirname, 'packages', pkg);
    const { name, exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries(exports)) {
      const built = typeof target === 'string' ? target : target.default;
      const match = /^\.\/dist\/(.+)\.js$/.exec(built);
      if (match) alias[`${name}${subpath.slice(1)}$`] = join(dir, 'src', `${match[1]}.ts`);
    }
  }
  return alias;
}

module.exports = {
  resolve: {
    alias: sourceAliases(),
    // The sources import `./x.js`; the file is `./x.ts` (or `.tsx` in the console).
    extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
    extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    conditionNames: ['import', 'require', 'node', 'default'],
  },
};
