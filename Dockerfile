# syntax=docker/dockerfile:1
# Multi-stage build: a static, pure-Go binary (modernc.org/sqlite needs no cgo)
# on a distroless base, running as a non-root user.
#
# Two images from one file:
#   docker build -t markwatch .                           # default: distroless, no browser
#   docker build --target chromium -t markwatch:chromium . # with Debian's chromium, for
#                                                         # sources with render: chromium,
#                                                         # evidence screenshots and case PDFs
# The default image stays small (no browser to patch); a source that asks for
# render: chromium in it fails its runs saying headless Chromium is missing.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/markwatch ./cmd/markwatch

# chromium: Debian 12 with its chromium package (and CJK fonts, so Chinese
# pages and case packets render with glyphs rather than boxes).
FROM debian:bookworm-slim AS chromium
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-cjk ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 # The same uid and gid as distroless's nonroot, so a volume written by one
 # image is readable by the other.
 && groupadd --gid 65532 nonroot \
 && useradd --uid 65532 --gid 65532 --home-dir /home/nonroot --create-home --shell /usr/sbin/nologin nonroot \
 && install -d -o 65532 -g 65532 /var/lib/markwatch \
 # Chromium's sandbox needs user namespaces that Docker's default seccomp
 # profile refuses to an unprivileged process; the container (non-root, no
 # capabilities) is the sandbox here. Debian's /usr/bin/chromium wrapper
 # reads its flags from /etc/chromium.d/.
 && echo 'export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox --disable-dev-shm-usage"' > /etc/chromium.d/markwatch-container
COPY --from=build /out/markwatch /usr/local/bin/markwatch
USER nonroot:nonroot
WORKDIR /var/lib/markwatch
ENV MARKWATCH_DATA_DIR=/var/lib/markwatch \
    MARKWATCH_HTTP_LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/markwatch"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/markwatch"]
CMD ["serve"]

# The default image: last, so a plain `docker build` (and compose) builds it.
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
