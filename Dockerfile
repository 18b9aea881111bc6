# khabar: a static binary on a minimal, non-root image.
#   docker build -t khabar .
#   docker run --env-file .env -v khabar-data:/data -p 9090:9090 khabar

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/build.sh /out/khabar && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/khabar /app/khabar
COPY --from=build /src/seeds /app/seeds
# A named volume mounted here starts with this directory's owner.
COPY --from=build --chown=nonroot:nonroot /out/data /data
# Configuration comes only from the environment (see config.example.env).
ENV SEEDS_DIR=/app/seeds \
    DATA_DIR=/data \
    LOG_FORMAT=json \
    OPS_LISTEN=:9090
VOLUME ["/data"]
EXPOSE 9090
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/app/khabar", "health"]
ENTRYPOINT ["/app/khabar"]
CMD ["serve"]
