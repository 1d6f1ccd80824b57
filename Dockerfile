# syntax=docker/dockerfile:1
# Multi-stage build: a static, pure-Go binary (modernc.org/sqlite needs no cgo)
# on a distroless base, running as a non-root user.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/markwatch ./cmd/markwatch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/markwatch /usr/local/bin/markwatch
# The image carries the embedded defaults; mount your own config, registry and
# sources under /etc/markwatch and point MARKWATCH_CONFIG at them.
USER nonroot:nonroot
WORKDIR /var/lib/markwatch
ENV MARKWATCH_DATA_DIR=/var/lib/markwatch \
    MARKWATCH_HTTP_LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/markwatch"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/markwatch"]
CMD ["serve"]
