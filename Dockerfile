# The order-tracker image, for the worker and the ingress (docker-compose.yml runs both):
# `npx order-tracker worker` or `npx order-tracker ingress`. It runs JavaScript compiled ahead of
# time and loads workflows bundled ahead of time, with production dependencies only: no tsx, no
# TypeScript, no simulators' servers (`order-tracker dev` and `sandbox` are for a clone).

# Build: every dependency, the TypeScript compiled to dist/, then only the production dependencies
# kept; the workflows are bundled by the compiled CLI (tsx is gone by then), once, so a worker
# (re)start loads them instead of running webpack.
FROM node:20-bookworm AS build
WORKDIR /app
# Dependencies first, so a code change does not reinstall them. better-sqlite3 (the default ledger)
# is a native module: the full Debian image has what npm ci needs to fetch or build it.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
RUN npx order-tracker bundle-workflows /app/dist/workflow-bundle

FROM node:20-bookworm
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
ENV WORKFLOW_BUNDLE=/app/dist/workflow-bundle
# .data/ holds the SQLite ledger when DATABASE_URL is not a postgres:// URL.
RUN mkdir -p .data && chown node:node .data
USER node

CMD ["npx", "order-tracker", "worker"]
