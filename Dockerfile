# Lambda container image for the Swift Kafka function.
#
#   docker build -t swift-lambda-kafka .
#   docker run --rm -p 9000:8080 -e KAFKA_ENDPOINT=host:9092 swift-lambda-kafka
#   curl -XPOST localhost:9000/2015-03-31/functions/function/invocations -d @Events/produce.json
#
# In Lambda the image's ENTRYPOINT is the custom runtime's bootstrap. Outside Lambda (no
# AWS_LAMBDA_RUNTIME_API) the bootstrap hands over to the bundled Runtime API emulator, which
# serves invocations on 8080 and runs the bootstrap under it, like AWS base images with the RIE;
# the Runtime API and the emulator's admin routes listen on 127.0.0.1 only, inside the container.

# Supply chain: Debian package versions are pinned (`name=version`, the bookworm and
# bookworm-security versions of the day they were pinned), so every build installs the same
# ones. Base images are named by tag; `scripts/pin-base-images` rewrites them to
# `tag@sha256:digest` from the registry (it needs registry access). Update procedure:
# docs/security.md, "Updating the image's pins".

# Build: the official Swift image on the same Debian release as the run stage, so the
# system libraries linked here are the ones installed there.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        librdkafka-dev=2.0.2-1 libcurl4-openssl-dev=7.88.1-10+deb12u15 libpq-dev=15.18-0+deb12u1 \
        pkg-config=1.8.1-1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer, so source edits reuse it.
COPY Package.swift ./
RUN swift package resolve
COPY . .
# The Swift runtime and Foundation are linked in; only librdkafka, libcurl, libpq and libc remain shared.
# Debug info is left out (bootstrap 38 -> 27 MB, emulator 91 -> 79 MB); the symbol table stays, so
# a crash's backtrace still names its functions.
RUN swift build -c release --static-swift-stdlib -Xlinker --strip-debug --product bootstrap \
    && swift build -c release --static-swift-stdlib -Xlinker --strip-debug --product lambda-emulator

# Run: Debian slim with the shared libraries the binaries need and nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        librdkafka1=2.0.2-1 libcurl4=7.88.1-10+deb12u15 libpq5=15.18-0+deb12u1 ca-certificates=20250419~deb12u2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --uid 10001 --home-dir /var/task --no-create-home \
        --shell /usr/sbin/nologin lambda
COPY --from=build /src/.build/release/bootstrap /var/runtime/bootstrap
COPY --from=build /src/.build/release/lambda-emulator /var/runtime/lambda-emulator
ENV LAMBDA_EMULATOR_PATH=/var/runtime/lambda-emulator
WORKDIR /var/task
USER lambda
EXPOSE 8080
ENTRYPOINT ["/var/runtime/bootstrap"]
