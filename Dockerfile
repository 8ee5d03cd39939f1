# syntax=docker/dockerfile:1
# Liveblog server image. Two stages: the first installs every dependency, compiles the
# TypeScript in src/ to dist/ and bundles the browser widget/editor into public/assets;
# the second keeps only production dependencies and the built output, and runs as `node`.
#
#   docker build -t liveblog .
#   docker run -p 3000:3000 -v liveblog-data:/app/data liveblog   # single node, SQLite
#
# For several nodes behind a load balancer see docker-compose.yml and docs/scaling.md.

ARG NODE_VERSION=26

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
# better-sqlite3 ships prebuilt binaries; the toolchain is only its fallback when none fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY client ./client
COPY scripts ./scripts
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/public ./public
# Code stays root-owned and read-only to the process; only the data directory is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Liveness only (/health); load balancers should probe /ready, which turns 503 while draining.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# main.ts drains on SIGTERM (bounded by SHUTDOWN_TIMEOUT_MS); give `docker stop` more than that.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
