# syntax=docker/dockerfile:1
# akbp as a container: `docker run IMAGE serve --source … --server …`. Two stages: the first
# builds the npm package exactly as a release (npm pack runs prepack → npm run build), the second installs
# that tarball with production dependencies only and runs as an unprivileged user.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json README.md LICENSE ./
COPY bin ./bin
# npm run build: tsc, then validate's generated validators and the CLI bundle (scripts/).
COPY scripts ./scripts
COPY src ./src
COPY schemas ./schemas
COPY examples ./examples
RUN npm pack --pack-destination /pkg

FROM node:20.20.2-bookworm-slim
# git reads git:: sources; ca-certificates lets it and undici verify TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /pkg/ /tmp/pkg/
RUN npm install --global --omit=dev --ignore-scripts --no-audit --no-fund /tmp/pkg/akbp-*.tgz \
 && rm -rf /tmp/pkg /root/.npm
RUN mkdir -p /work /cache && chown 1000:1000 /work /cache
ENV NODE_ENV=production \
    AKBP_CACHE_DIR=/cache \
    CI=true
WORKDIR /work
# The image's `node` user, by number so Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["akbp"]
CMD ["--help"]
