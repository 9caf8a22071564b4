# iamgrade in a container (docs/deploy.md): built on Debian 12, run as a
# non-root user with only what the binary needs at run time: its shared
# libraries (what dpkg-shlibdeps finds, tests/contrib checks the list), the
# CA certificates libcurl verifies AWS with, and the PDF's fonts.
#
#   docker build -t iamgrade .
#   docker run --rm -v "$PWD/reports:/reports" -e AWS_REGION iamgrade \
#       run --organization --role-name SecurityAudit --out /reports

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev make pkg-config \
      libcurl4-openssl-dev libxml2-dev libjansson-dev libhpdf-dev libcsv-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make iamgrade && strip iamgrade

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
      libcsv3 libcurl4 libhpdf-2.3.0 libjansson4 libssl3 libxml2 \
      fonts-dejavu-core fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /home/iamgrade iamgrade \
 && install -d -o iamgrade -g iamgrade -m 0700 /reports
COPY --from=build /src/iamgrade /usr/local/bin/iamgrade
USER 10001:10001
WORKDIR /home/iamgrade
VOLUME ["/reports"]
ENTRYPOINT ["/usr/local/bin/iamgrade"]
CMD ["--help"]
