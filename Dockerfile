# syntax=docker/dockerfile:1
# The API image (also runs the simulator). Multi-stage: compile with dev dependencies and a C++
# toolchain (better-sqlite3 compiles when no prebuilt binary matches), ship production
# dependencies, the compiled JavaScript and the GraphiQL operations only, as a non-root user.

ARG NODE_IMAGE=node:22-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

FROM base AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./

# Everything needed to compile (and to run the tests of the `test` target).
FROM toolchain AS build
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build

# Production dependencies only, native modules built for this Node.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev

# `docker compose --profile test run --rm test`: the store contract suite against the stack's InfluxDB.
FROM build AS test
COPY vitest.config.ts ./
COPY test ./test
CMD ["npx", "vitest", "run", "test/store/influx-store.contract.test.ts"]

FROM base AS runtime
# MALLOC_ARENA_MAX=2 as `npm start` sets it: glibc gives every thread that allocates (worker threads,
# V8's compiler and collector threads) a malloc arena of its own, and the freed memory each keeps
# was about 25 MB of the product's resident size (docs/limits-and-faults.md).
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=4000 \
    MALLOC_ARENA_MAX=2
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY operations ./operations
# DATA_DIR holds the SQLite journal (readings not yet in InfluxDB) and the tariff history.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# /ready answers 200 while the API can ingest and serve (InfluxDB down only makes it "degraded").
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same Node flags as `npm start` (package.json; its MALLOC_ARENA_MAX is set above). The heap limit is headroom, not a budget: the
# limits (README "Limits and faults") keep the heap far below it under every attack measured
# there, and 192 MB was what turned a burst of load into an out-of-memory crash. Give the container
# at least 640 MB.
CMD ["node", "--max-old-space-size=512", "dist/main.js"]
