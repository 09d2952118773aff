# Multi-stage build of the single static binary, run as non-root.
# Docker cannot run on the development machines: this file is kept correct by
# reading (see README, "Containers").
# The web app first: its build is embedded in the binary (web/embed.go).
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci
COPY api/openapi.yaml /src/api/openapi.yaml
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/app ./web/dist/app
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/recouvra ./cmd/recouvra

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recouvra /usr/local/bin/recouvra
# In a container the database is always external (RECOUVRA_DATABASE_URL):
# the image has no PostgreSQL server binaries for a private cluster.
ENV RECOUVRA_HTTP_ADDR=0.0.0.0:8080 \
    RECOUVRA_DATA_DIR=/data
VOLUME ["/data"]
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/recouvra"]
CMD ["serve"]
