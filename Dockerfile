# syntax=docker/dockerfile:1
# The Weft server: `weft serve` on port 4000. See "Running a cluster" in docs/running.md.
#
#   docker build -t weft .
#   docker run --init -p 4000:4000 -e WEFT_DATABASE_URL=postgres://… -e WEFT_MASTER_KEY=… \
#     -e WEFT_ADMIN_TOKEN=… -e WEFT_PUBLIC_URL=https://weft.example.com weft
#
# Without WEFT_DATABASE_URL the server keeps everything in the embedded store in the volume
# /var/lib/weft (then mount a named volume there and run one container only).

# ---- build: install everything, compile sdk/platform/cli, build the console, drop dev packages
FROM node:20-bookworm-slim AS build
# better-sqlite3 falls back to compiling itself when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The manifests first, so that the install is cached until a dependency changes. Scripts are
# skipped (the root `prepare` would build sources not copied yet), then run for the two
# packages that need theirs: better-sqlite3 (native addon) and esbuild (its binary).
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
COPY packages/platform/package.json packages/platform/
COPY packages/cli/package.json packages/cli/
COPY packages/console/package.json packages/console/
COPY packages/create-weft/package.json packages/create-weft/
COPY connectors connectors
RUN --mount=type=cache,target=/root/.npm \
  npm ci --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 esbuild
COPY tsconfig.base.json ./
COPY packages packages
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- run: the compiled code, the built console, the built-in and example connectors, production packages
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  WEFT_HOME=/var/lib/weft
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/sdk/package.json packages/sdk/
COPY --from=build /app/packages/sdk/dist packages/sdk/dist
COPY --from=build /app/packages/platform/package.json packages/platform/
COPY --from=build /app/packages/platform/dist packages/platform/dist
COPY --from=build /app/packages/platform/builtins packages/platform/builtins
COPY --from=build /app/packages/cli/package.json packages/cli/
COPY --from=build /app/packages/cli/bin packages/cli/bin
COPY --from=build /app/packages/cli/dist packages/cli/dist
COPY --from=build /app/packages/cli/templates packages/cli/templates
COPY --from=build /app/packages/console/package.json packages/console/
COPY --from=build /app/packages/console/dist packages/console/dist
COPY --from=build /app/connectors connectors
# The code stays owned by root (read-only to the server); only the data directory is the server's.
RUN mkdir -p /var/lib/weft && chown node:node /var/lib/weft && chmod 0700 /var/lib/weft
USER node
VOLUME /var/lib/weft
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/packages/cli/dist/bin.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4000"]
