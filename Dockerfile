# The order-tracker image, for the worker and the ingress (docker-compose.yml runs both):
# `npx order-tracker worker` or `npx order-tracker ingress`. It installs the package as a backend
# team does (`npm pack`: compiled JavaScript and declarations, no sources, no tsx, no simulators)
# with the worker side's packages (the package's optional peer dependencies), and loads workflows
# bundled ahead of time.

# Build: every dependency, then `npm pack`, whose prepack compiles dist/ (TypeScript is a
# devDependency); the worker side's packages at the ranges package.json asks for.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /package
RUN node -p "Object.entries(require('./package.json').peerDependencies).map(([name, range]) => name + '@' + range).join(' ')" > /package/worker-packages

# The image: the tarball and the worker side installed into a project of their own. better-sqlite3
# (the default ledger) is a native module: the full Debian image has what building it needs, and
# allowScripts lets npm 11 run its install script. The workflows are bundled once by the installed
# CLI, so a worker (re)start loads them instead of running webpack.
FROM node:20-bookworm
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /package /package
RUN echo '{ "name": "order-tracker-image", "private": true, "allowScripts": { "better-sqlite3": true } }' > package.json \
  && npm install --no-audit --no-fund /package/order-tracker-*.tgz $(cat /package/worker-packages) \
  && rm -rf /package
RUN npx order-tracker bundle-workflows /app/workflow-bundle
ENV WORKFLOW_BUNDLE=/app/workflow-bundle
# .data/ (in the working directory, for an installed package) holds the SQLite ledger when
# DATABASE_URL is not a postgres:// URL.
RUN mkdir -p .data && chown node:node .data
USER node

CMD ["npx", "order-tracker", "worker"]
