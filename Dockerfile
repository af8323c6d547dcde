# syntax=docker/dockerfile:1
# One image for every Maestro process (API, pipeline worker, lab worker, storage); the compose file
# picks the entry point per service.

# ---- build: dev dependencies + TypeScript compiler ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json
RUN npm run build:dashboard

# ---- runtime: production dependencies only, non-root ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# git: the pipeline mirrors kernel trees and archives commits; tini: signals reach node (graceful
# worker shutdown) and zombies are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
ENV MAESTRO_DATA_DIR=/data \
    MAESTRO_API_HOST=0.0.0.0
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/main.js"]
