# One image template for every service: build with context = repo root and --build-arg SERVICE=<name>.
# The same image runs the API (default CMD) or the worker (command ["node", "dist/worker.js"]).
#
# No stage names the services: a new folder under services/ (and its workspace entry) is all it takes.
# The `manifests`, `dependencies` and `build` stages never read SERVICE, so they are byte-identical for every
# service and BuildKit builds them once: the services share one dependency install and one `tsc -b` (which
# also builds the libraries under services/: the kit and the one package of generated protobuf code).
ARG NODE_IMAGE=node:24-bookworm-slim

# The workspace manifests only. This stage reruns on any source change, but its result changes only with a
# package.json, and `COPY --from=manifests` is keyed by that result: `npm ci` below stays cached.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY cli/package.json cli/
COPY services/ services/
RUN find services -type f \( -path 'services/*/*/*' -o ! -name package.json \) -delete \
 && find services -depth -mindepth 1 -type d -empty -delete

FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY --from=manifests /app/ ./
# Install scripts are not needed to compile the services (only the CLI's optional native modules have them).
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --ignore-scripts --no-audit --no-fund

FROM dependencies AS build
COPY tsconfig.base.json tsconfig.json ./
COPY services/ services/
# Every services/<name> with a tsconfig.json: the shared libraries (the kit, the generated protobuf package:
# the packages without a src/service.ts) and each service. /out/libraries holds the libraries every image
# copies, /out/services/<name> what one service's image adds.
RUN packages=$(for config in services/*/tsconfig.json; do dirname "$config"; done) \
 && npx tsc -b $packages \
 && for directory in $packages; do \
      name=$(basename "$directory"); \
      if [ -f $directory/src/service.ts ]; then target=/out/services/$name; else target=/out/libraries/$name; fi; \
      mkdir -p $target && cp -r $directory/package.json $directory/dist $target/ \
      && if [ -d $directory/migrations ]; then cp -r $directory/migrations $target/; fi \
      && if [ -d $directory/bin ]; then cp -r $directory/bin $target/; fi; \
    done

# The inner loop (`innover dev`, target `dev`): the service's TypeScript sources run as they are, with Node 24's
# type stripping and `--conditions=source` (the `source` exports of the kit and of the generated package), so there is no build
# step: Compose watch syncs services/<name>/src and services/kit/src into this tree, and the kit's dev runner
# (services/kit/src/bin/dev-run.ts, the command) reloads the service in place, keeping the last good code serving.
# The sources are erasable (erasableSyntaxOnly) and import with `.ts` specifiers (rewriteRelativeImportExtensions).
# Owned by `node` so the sync can write; never the production image (`final` stays the default, last stage).
FROM dependencies AS dev
ARG SERVICE
RUN test -n "${SERVICE}" || (echo "build with --build-arg SERVICE=<name>" >&2; exit 1)
# The compile cache (in the container's own layer, which a restart keeps) spares each restart most of the
# stripping and compiling of the unchanged modules.
ENV NODE_ENV=development SERVICE_NAME=${SERVICE} NODE_COMPILE_CACHE=/home/node/.cache/node-compile \
    NODE_OPTIONS="--conditions=source --max-semi-space-size=2 --disable-warning=TimeoutNegativeWarning"
COPY tsconfig.base.json tsconfig.json ./
COPY --chown=node:node services/ services/
USER node
WORKDIR /app/services/${SERVICE}
ENV PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["bash", "/app/services/kit/bin/healthcheck.sh", "api"]
CMD ["node", "/app/services/kit/src/bin/dev-run.ts", "api"]

FROM ${NODE_IMAGE} AS final
ARG SERVICE
RUN test -n "${SERVICE}" || (echo "build with --build-arg SERVICE=<name>" >&2; exit 1)
# SERVICE_NAME defaults to the image's service; compose sets it explicitly anyway.
# A 2 MiB young-generation semi-space keeps an idle process ~25 MiB smaller than V8's default (which sizes
# it for allocation-heavy workloads); these I/O-bound services lose no measurable throughput (bench/kit.bench.js
# runs with the same NODE_OPTIONS, read from this file). kafkajs arms negative timers under Node 24; the
# resulting TimeoutNegativeWarning is harmless noise in every service log, so it is silenced by type.
ENV NODE_ENV=production SERVICE_NAME=${SERVICE} NODE_OPTIONS="--max-semi-space-size=2 --disable-warning=TimeoutNegativeWarning"
WORKDIR /app
COPY --from=manifests /app/ ./
# Production dependencies of this service (and of the libraries it links) only; no compiler, no CLI packages.
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace services/${SERVICE}
COPY --from=build /out/libraries/ services/
COPY --from=build /out/services/${SERVICE} services/${SERVICE}/
USER node
WORKDIR /app/services/${SERVICE}
ENV PORT=8000
EXPOSE 8000
# No curl in the slim image: the kit's bash probe (a Node start would cost 60-80 ms of CPU a run). Workers override
# this in the compose file (heartbeat mode).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["bash", "/app/services/kit/bin/healthcheck.sh", "api"]
CMD ["node", "dist/api.js"]
