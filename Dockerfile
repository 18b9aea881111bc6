# khabar: a static binary on a minimal, non-root image.
#   docker build -t khabar .
#   docker run -d --restart unless-stopped --env-file .env -v khabar-data:/data -p 9090:9090 khabar
# (README "Docker and operations": restart policy, Compose, webhook port.)

# The build image is pinned to an exact Go release (the one khabar is
# developed and tested with: go.mod says go 1.26.0); bump it deliberately.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/build.sh /out/khabar && mkdir -p /out/data/uploads

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/khabar /app/khabar
COPY --from=build /src/seeds /app/seeds
# A named volume mounted here starts with this directory's owner: the
# process writes the index, digest.db and uploads/ there. /app/seeds stays
# root-owned and read-only; admins' uploads go to DATA_DIR/uploads.
COPY --from=build --chown=nonroot:nonroot /out/data /data
# Configuration comes only from the environment (see config.example.env).
ENV SEEDS_DIR=/app/seeds \
    DATA_DIR=/data \
    UPLOADS_DIR=/data/uploads \
    LOG_FORMAT=json \
    OPS_LISTEN=:9090
VOLUME ["/data"]
# 9090: OPS_LISTEN (/healthz, /readyz, /metrics); 8443: WEBHOOK_LISTEN's
# default, used in webhook mode (WEBHOOK_URL set).
EXPOSE 9090 8443
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/app/khabar", "health"]
ENTRYPOINT ["/app/khabar"]
CMD ["serve"]
