# Mnemos image: the API and the worker are the same image (MNEMOS_WORKER_ENABLED picks the role).
# No `# syntax=` line: BuildKit's built-in frontend runs the cache mounts below, and naming a frontend
# image makes the build pull it from a registry (offline builds fail).
#
#   CPU (default):  docker build -t mnemos .
#   CUDA 12.8:      docker build -t mnemos:cu128 --build-arg PYTORCH_FLAVOR=cu128 \
#                     --build-arg RUNTIME_IMAGE=nvidia/cuda:12.8.1-base-ubuntu24.04 .
#
# Maven Central carries ai.djl.pytorch:pytorch-native-cpu:2.7.1 but no CUDA build of 2.7.1
# (pytorch-native-cu124 stops at 2.5.1, cu128 is not published there). So the jar is always
# built with the CPU native artifact, and a CUDA image adds libtorch 2.7.1+cu128 from
# LIBTORCH_URL, which DJL loads through PYTORCH_LIBRARY_PATH (its JNI for cu128 ships in
# pytorch-jni), and drops the unused CPU native jar.

ARG PYTORCH_FLAVOR=cpu
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM maven:3.9-eclipse-temurin-17 AS build
ARG NATIVE_JAR_FLAVOR=cpu
WORKDIR /src
# Dependency layer: re-resolved only when the pom changes.
COPY pom.xml ./
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q dependency:go-offline -Dpytorch.flavor=${NATIVE_JAR_FLAVOR}
COPY src src
COPY migrations migrations
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q package -Dmaven.test.skip=true -Dpytorch.flavor=${NATIVE_JAR_FLAVOR} \
 && java -Djarmode=tools -jar target/mnemos.jar extract --layers --destination /extracted

# libtorch per flavor; only the stage named by PYTORCH_FLAVOR is built.
FROM debian:bookworm-slim AS libtorch-cpu
RUN mkdir -p /opt/libtorch/lib

FROM debian:bookworm-slim AS libtorch-cu128
# Unverified from the build machine of this repository (no access to download.pytorch.org there).
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu128/libtorch-shared-with-deps-2.7.1%2Bcu128.zip
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl unzip \
 && curl -fsSL -o /tmp/libtorch.zip "${LIBTORCH_URL}" \
 && unzip -q /tmp/libtorch.zip -d /opt && rm /tmp/libtorch.zip \
 && rm -rf /var/lib/apt/lists/*

FROM libtorch-${PYTORCH_FLAVOR} AS libtorch

FROM eclipse-temurin:17-jre AS jre

FROM ${RUNTIME_IMAGE}
ARG PYTORCH_FLAVOR
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
# jemalloc: glibc's allocator keeps the freed activations of ABD's model inversion (6.6 GB peak for
# the ABD example against 1.4 GB with jemalloc, same figures to the last digit; bench/RESULTS.md)
RUN apt-get update && apt-get install -y --no-install-recommends curl libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/local/lib/libjemalloc.so.2 \
 && groupadd --system --gid 10001 mnemos \
 && useradd --system --uid 10001 --gid mnemos --home-dir /var/lib/mnemos --create-home mnemos \
 && mkdir -p /var/lib/mnemos/artifacts /data && chown -R mnemos:mnemos /var/lib/mnemos

WORKDIR /app
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
COPY --from=libtorch /opt/libtorch /opt/libtorch
RUN if [ "${PYTORCH_FLAVOR}" != "cpu" ]; then rm -f lib/pytorch-native-cpu-*.jar; fi

ENV SPRING_PROFILES_ACTIVE=container \
    MNEMOS_ARTIFACTS_DIR=/var/lib/mnemos/artifacts \
    MNEMOS_DATA_ROOTS=/data \
    MNEMOS_EMBEDDED_DB_DIR=/var/lib/mnemos/pgdata \
    DJL_CACHE_DIR=/var/lib/mnemos/djl \
    PYTORCH_FLAVOR=${PYTORCH_FLAVOR} \
    PYTORCH_VERSION=2.7.1 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75" \
    LD_PRELOAD=/usr/local/lib/libjemalloc.so.2

USER mnemos
WORKDIR /var/lib/mnemos
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
    CMD curl -fsS http://127.0.0.1:8080/actuator/health/readiness || exit 1
# DJL must not download anything at run time; PYTORCH_LIBRARY_PATH only where libtorch was added (CUDA).
ENTRYPOINT ["/bin/sh", "-c", "if [ -e /opt/libtorch/lib/libtorch.so ]; then export PYTORCH_LIBRARY_PATH=/opt/libtorch/lib; fi; exec java -Dai.djl.offline=true -jar /app/mnemos.jar \"$@\"", "--"]
