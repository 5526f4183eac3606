# dockmon: one small image, no shell, no node_modules.
#
# With a registry:   docker build -t dockmon .
# Air-gapped:        scripts/build-image-airgapped.sh   (assembles both base images from
#                    this host's Node with `docker import` and passes them below)
#
# Both base images are build arguments. The runtime one must keep node at
# /nodejs/bin/node, as gcr.io/distroless/nodejs* does. Node 24 is the LTS line that both
# image families publish on Debian 12; dist/ runs on any Node >= 20.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12

FROM ${BUILD_IMAGE} AS build
# For npm ci on a host behind a mirror or a TLS-inspecting proxy; unset, npm's defaults
# apply. Build-stage arguments never reach the runtime image.
ARG NPM_CONFIG_REGISTRY
ARG NODE_EXTRA_CA_CERTS
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# No source maps: they point at src/, which the image does not hold. The empty log
# folder is copied into the runtime image (which has no shell to mkdir it).
RUN node_modules/.bin/tsc -p tsconfig.build.json --sourceMap false \
 && mkdir -p -m 0775 /out/resource_logs

FROM ${RUNTIME_IMAGE}
# The seed's folder layout: the seed's `-v ...:/python-docker/resource_logs` works unchanged.
WORKDIR /python-docker
COPY --from=build /src/dist ./dist
COPY public ./public
COPY package.json LICENSE ./
# For when no host folder is mounted (and the seed for a named volume, which copies it):
# writable by nonroot (owner 65532) and by root without capabilities (group 0, 0775).
COPY --from=build --chown=65532:0 /out/ ./
# HOST_PROC and HOST_CGROUP: where `-v /proc:/host/proc:ro -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro`
# put the host's files, from which each container's numbers are read at no cost to the
# daemon. Without those mounts the folders do not exist and the Engine API is read instead
# (/healthz says so and how to fix it).
ENV PORT=5000 \
    LOG_DIR=/python-docker/resource_logs \
    DOCKER_HOST=unix:///var/run/docker.sock \
    HOST_PROC=/host/proc \
    HOST_CGROUP=/host/sys/fs/cgroup
EXPOSE 5000/tcp
# No shell and no curl: the probe is node itself, GET /healthz on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "/python-docker/dist/healthcheck.js"]
# Root by default so the seed's `docker run -v /var/run/docker.sock:...` works unchanged
# (the socket is root:docker 0660); the hardened command (docs/deployment.md) runs as 65532.
# node is PID 1 and handles SIGTERM itself: it tries one last write of the logs and exits within 2 s (docs/logs.md).
# V8 flags, the same as `npm start` (docs/benchmarks.md): --max-semi-space-size=1 (MiB) caps
# the young generation, which otherwise grows to 32 MiB under the stats records' churn (RSS
# ~25 MiB higher); --optimize-for-size makes V8 keep its heaps tighter (~5 MiB less at 100
# containers for ~0.2% of a core).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "--optimize-for-size", "/python-docker/dist/main.js"]
CMD []
ARG VERSION=unknown
ARG RUNTIME_IMAGE
LABEL org.opencontainers.image.title="dockmon" \
      org.opencontainers.image.description="Live CPU, memory, network and block I/O of every container, from the kernel or the Docker Engine API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
