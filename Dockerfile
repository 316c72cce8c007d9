# syntax=docker/dockerfile:1
#
# The Hookline services, built once and shipped as one slim image per service:
#
#   docker build --target ingest -t hookline/ingest .
#   (likewise --target subscription, dispatcher, retry-scheduler)
#
# All four share every layer but the last, and each also carries the one-off commands
# `node scripts/migrate.mjs up` (database migrations), `node scripts/topics.mjs` (Kafka topics) and
# `node scripts/secrets.mjs seal|rotate` (endpoint secrets at rest, deploy/README.md).

# The base image, by tag and digest: the tag says what it is (the Node.js release the project runs on,
# package.json's `node`), the digest makes every build start from the same bytes (the multi-platform
# index of that tag). Moving to a newer build is a deliberate change of both (deploy/README.md, "Images").
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
ARG NODE_IMAGE_DIGEST=sha256:d6aa754f16b3197301076f047b5def2f02ea1dbbc2ca920407d46d7ec7f87b20

# --- Package manifests only, so the dependency layers below are rebuilt only when they change.
FROM ${NODE_IMAGE}@${NODE_IMAGE_DIGEST} AS manifests
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY libs libs
RUN mkdir -p /manifests \
 && cp package.json package-lock.json .npmrc /manifests/ \
 && for lib in libs/*/; do mkdir -p "/manifests/${lib}" && cp "${lib}package.json" "/manifests/${lib}"; done

# --- Compile the libraries and the four services with the full toolchain.
FROM ${NODE_IMAGE}@${NODE_IMAGE_DIGEST} AS build
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY --from=manifests /manifests/ ./
# Exactly the lock file: `npm ci` fails rather than resolve anything anew.
RUN npm ci --no-audit --no-fund
COPY nx.json tsconfig.base.json ./
COPY libs libs
COPY apps apps
# The customer portal's API types are generated from the subscription API's OpenAPI document.
COPY docs/openapi.json docs/
# What runs: each built project's dist/ and package.json, plus the .proto files the gRPC server loads
# at run time, and the customer portal's files (dist/apps/portal), which the subscription service
# serves at /portal/. The test helpers (libs/testing) stay behind.
RUN npx nx run-many -t build -p ingest,subscription,dispatcher,retry-scheduler,portal --outputStyle=static \
 && mkdir -p /out \
 && for project in libs/* apps/*; do \
      if [ "${project}" = libs/testing ] || [ ! -d "${project}/dist" ]; then continue; fi; \
      mkdir -p "/out/${project}" && cp -R "${project}/dist" "/out/${project}/"; \
      if [ -f "${project}/package.json" ]; then cp "${project}/package.json" "/out/${project}/"; fi; \
      if [ -d "${project}/proto" ]; then cp -R "${project}/proto" "/out/${project}/"; fi; \
    done \
 && mkdir -p /out/dist/apps && cp -R dist/apps/portal /out/dist/apps/

# --- Production dependencies only; no install scripts run, none of them needs one.
FROM ${NODE_IMAGE}@${NODE_IMAGE_DIGEST} AS production-deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- What every service image holds: compiled code, production dependencies, the one-off scripts.
FROM ${NODE_IMAGE}@${NODE_IMAGE_DIGEST} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps --disable-warning=TimeoutNegativeWarning"
WORKDIR /app
COPY --from=production-deps /app/package.json ./
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /out/ ./
COPY scripts/migrate.mjs scripts/topics.mjs scripts/secrets.mjs ./scripts/
COPY tools/infra/postgres.cjs tools/infra/kafkajs-warning.cjs tools/infra/workspace-library.cjs ./tools/infra/
COPY deploy/docker/healthcheck.mjs ./deploy/docker/
# The code stays owned by root and read-only to the service; it runs as the image's `node` user.
USER 1000:1000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs"]
STOPSIGNAL SIGTERM

FROM runtime AS ingest
ENV PORT=3001
EXPOSE 3001
CMD ["node", "apps/ingest/dist/main.js"]

FROM runtime AS subscription
ENV PORT=3002
EXPOSE 3002 50051
CMD ["node", "apps/subscription/dist/main.js"]

FROM runtime AS dispatcher
ENV PORT=3003
EXPOSE 3003
CMD ["node", "apps/dispatcher/dist/main.js"]

FROM runtime AS retry-scheduler
ENV PORT=3004
EXPOSE 3004
CMD ["node", "apps/retry-scheduler/dist/main.js"]
