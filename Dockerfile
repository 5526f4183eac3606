# dockmon: one small image, no runtime dependencies.
# Base images are build arguments so an air-gapped host can point them at local
# images (see the README); with a registry, `docker build -t dockmon .` is enough.
ARG BUILD_IMAGE=node:22-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs22-debian12

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="dockmon" \
      org.opencontainers.image.description="Live CPU, memory, network and block I/O of every container, from the Docker Engine API" \
      org.opencontainers.image.licenses="MIT"
# The seed's folder layout: logs land in /python-docker/resource_logs.
WORKDIR /python-docker
COPY --from=build /src/dist ./dist
COPY public ./public
COPY package.json LICENSE ./
ENV PORT=5000 \
    LOG_DIR=/python-docker/resource_logs \
    DOCKER_HOST=unix:///var/run/docker.sock
EXPOSE 5000/tcp
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s CMD ["/nodejs/bin/node", "/python-docker/dist/healthcheck.js"]
# Runs as root by default so the seed's `docker run -v /var/run/docker.sock:...`
# works unchanged; the README's hardened command runs it as uid 65532.
ENTRYPOINT ["/nodejs/bin/node", "/python-docker/dist/main.js"]
