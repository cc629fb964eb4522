# The order-tracker image, for the worker and the ingress (docker-compose.yml runs both):
# `npx order-tracker worker` or `npx order-tracker ingress`. tsx runs the TypeScript; the workflows
# are bundled here, once, so a worker (re)start loads them instead of running webpack.
FROM node:20-bookworm

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so a code change does not reinstall them. better-sqlite3 (the default ledger)
# is a native module: the full Debian image has what npm ci needs to fetch or build it.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
RUN npx order-tracker bundle-workflows /app/.workflow-bundle
ENV WORKFLOW_BUNDLE=/app/.workflow-bundle
# .data/ holds the SQLite ledger when DATABASE_URL is not a postgres:// URL.
RUN mkdir -p .data && chown node:node .data
USER node

CMD ["npx", "order-tracker", "worker"]
