# syntax=docker/dockerfile:1
# One image for every process of the bus (connectors, router, sandboxes): the monorepo with its npm dependencies,
# TypeScript run through tsx (no build step). docker-compose.yml picks the process with the entry file as command.

# The workspace manifests alone, so the `npm ci` layer below is rebuilt only when a package.json or the lockfile
# changes, not on every source edit.
FROM node:24-slim AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
 && find . -depth -type d -empty -delete

FROM node:24-slim
WORKDIR /app
COPY --from=manifests /src/ ./
# All dependencies, dev ones included: tsx, which runs the sources, is a devDependency of the root package.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --loglevel=error
COPY . .
# The files stay owned by root: the processes only read them (tsx keeps its transform cache in /tmp).
USER node
# `node --import tsx` rather than `npx tsx`: npx runs the command through `sh -c`, and Debian's sh (dash) does not
# pass SIGTERM on, so `docker stop` would kill the process instead of letting it stop gracefully (checked: the
# child never saw the signal). With node itself as the process, SIGTERM/SIGHUP reach the bus's handlers.
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["apps/router/src/main.ts"]
