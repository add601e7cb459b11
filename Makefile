# coalmine — one GNU Makefile (see docs/HACKING.md).
#
#   make                 build build/coalmine and build/libcoalmine.a
#   make test            install missing packages, build, run every test
#   make test SANITIZE=1 the same under ASan+UBSan (objects in build-san/)
#   make test SANITIZE=thread  the same under TSan (objects in build-tsan/)
#   make run             build, generate a demo corpus, run the service on it (docs/serve.md)
#   make bench           the benchmark table (bench/run.sh)
#   make eval            build, then run the detectors over ../shared/data (docs/eval.md)
#   make fuzz            build the libFuzzer targets and fuzz each FUZZ_TIME seconds
#   make format          clang-format every source file
#   make install PREFIX=/usr/local

CC      ?= cc
PREFIX  ?= /usr/local
FUZZ_TIME ?= 60
PKGS    := libdeflate zlib libzstd sqlite3 expat libcurl libmaxminddb yaml-0.1 libpsl rdkafka libmicrohttpd libcrypto cmocka

ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1 -g
else ifeq ($(SANITIZE),thread)
BUILD   ?= build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT     := -O1 -g
else
BUILD   ?= build
SANFLAGS :=
OPT     := -O2 -g
endif

WARN := -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wimplicit-fallthrough -Wcast-qual -Wno-overlength-strings
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libdeflate zlib libzstd sqlite3 expat libcurl libmaxminddb yaml-0.1 libpsl rdkafka libmicrohttpd libcrypto 2>/dev/null)
TEST_LIBS  := $(shell pkg-config --libs cmocka 2>/dev/null)

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -Isrc -Iinclude -DCM_PREFIX=\"$(PREFIX)\"
CFLAGS   += -std=c11 $(OPT) $(WARN) $(SANFLAGS) -pthread -MMD -MP $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS) -pthread
LDLIBS   += $(PKG_LIBS) -lm

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
APP_SRC  := $(sort $(filter-out src/cli/main.c,$(wildcard src/*/*.c)))
UNIT_SRC := $(sort $(shell find tests/unit -name '*.c' 2>/dev/null))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all deps test-deps test run bench fuzz fuzz-build format checksrc install clean eval

all: $(BUILD)/coalmine $(BUILD)/libcoalmine.a

deps:
	@pkg-config --exists $(PKGS) && command -v jq >/dev/null && command -v sqlite3 >/dev/null && command -v clang >/dev/null && command -v strace >/dev/null && [ -x /usr/bin/time ] \
	  || scripts/install-deps

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libcoalmine.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The console (web/) compiled in: tools/webembed/webembed.sh writes the table of its
# files (src/api/web_assets.h). `web` itself is a prerequisite so that a removed
# file regenerates it too.
WEB_SRC := $(sort $(shell find web -type f 2>/dev/null))
WEB_GEN := $(BUILD)/gen/web_assets_gen.c
WEB_OBJ := $(BUILD)/obj/gen/web_assets_gen.o

$(WEB_GEN): web $(WEB_SRC) tools/webembed/webembed.sh
	@mkdir -p $(dir $@)
	sh tools/webembed/webembed.sh web $@ $(WEB_SRC:web/%=%)

$(WEB_OBJ): $(WEB_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libcmapp.a: $(APP_OBJ) $(WEB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/coalmine: $(BUILD)/obj/src/cli/main.o $(BUILD)/libcmapp.a $(BUILD)/libcoalmine.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcmapp.a $(BUILD)/libcoalmine.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libcmapp.a $(BUILD)/libcoalmine.a \
	  $(LDFLAGS) $(LDLIBS) $(TEST_LIBS)

# The builds behind test use every core unless make was given -j already (CI runs
# a plain `make test`, and the fuzz targets alone are minutes of compiling serially).
NPROC := $(shell nproc 2>/dev/null || echo 1)
SUBMAKE_JOBS = case " $$MAKEFLAGS " in *" -j"*|*jobserver*) ;; *) echo -j$(NPROC) ;; esac

# What only the tests use, besides deps. Not fatal: a test whose tool is missing skips.
test-deps: deps
	@{ command -v prometheus-node-exporter && command -v aws && python3 -c 'import boto3' && \
	  command -v chromium; } >/dev/null 2>&1 || scripts/install-deps --test || \
	  echo "test-deps: a test tool could not be installed; its tests skip" >&2
	@scripts/install-console-deps || \
	  echo "test-deps: playwright-core could not be installed; the console's browser test skips" >&2
	@scripts/install-parquet-deps || \
	  echo "test-deps: parquet-wasm could not be installed; the Parquet flow test's matrix skips" >&2
	@scripts/install-test-pydeps || \
	  echo "test-deps: moto could not be installed; the tests that need moto_server skip" >&2

test: test-deps
	@$(MAKE) --no-print-directory $$($(SUBMAKE_JOBS)) all $(UNIT_BIN) \
	  $(BUILD)/tools/dga-train $(BUILD)/tools/kafka-mock fuzz-build
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) scripts/run-tests

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo $(BUILD)/coalmine

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh $(BUILD)/coalmine

eval: deps
	@$(MAKE) --no-print-directory $(BUILD)/coalmine
	@scripts/run-eval $(BUILD)/coalmine

# The DGA model's trainer (issue #7, tools/dga/, scripts/train-dga).
.PHONY: tools
tools: $(BUILD)/tools/dga-train
$(BUILD)/tools/dga-train: $(wildcard tools/dga/*.c tools/dga/*.h) $(BUILD)/libcmapp.a \
                          $(BUILD)/libcoalmine.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itools/dga $(CFLAGS) -o $@ $(filter %.c,$^) $(BUILD)/libcmapp.a \
	  $(BUILD)/libcoalmine.a \
	  $(LDFLAGS) $(LDLIBS)

# The integration tests' Kafka cluster (librdkafka's mock cluster on 127.0.0.1). Built
# without sanitizers: it is the tests' server, not coalmine, and ThreadSanitizer's
# runtime crashes in librdkafka's uninstrumented broker threads.
$(BUILD)/tools/kafka-mock: tools/kafka-mock/kafka_mock.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 -O2 -g $(WARN) -pthread $(PKG_CFLAGS) -o $@ $< \
	  $(shell pkg-config --libs rdkafka 2>/dev/null)

# libFuzzer targets: clang. The library (and the src/ files a target names) is compiled
# once with the fuzzer's coverage instrumentation into $(BUILD)/fuzz-obj, and each
# target links against that archive.
FUZZ_CC    ?= clang
FUZZ_SAN   := address,undefined -fno-sanitize-recover=all
# CM_FUZZING: nothing reads a file or URL the fuzzer's bytes name (API list locations).
FUZZ_FLAGS := -std=c11 -g -O1 $(CPPFLAGS) $(PKG_CFLAGS) -DCM_FUZZING
FUZZ_OBJ   := $(BUILD)/fuzz-obj
FUZZ_LIB   := $(FUZZ_OBJ)/libcoalmine.a

$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(LIB_SRC:%.c=$(FUZZ_OBJ)/%.o)
	@rm -f $@
	ar rcs $@ $^

# Targets that also need code from src/ name it here.
FUZZ_EXTRA_fuzz_decode := src/source/decode.c src/source/decode_zstd.c
FUZZ_EXTRA_fuzz_parquet := src/source/parquet.c src/source/parquet_enc.c src/source/parquet_meta.c \
                           src/source/parquet_page.c \
                           src/source/snappy.c src/source/thrift.c
FUZZ_EXTRA_fuzz_config := src/core/config.c src/core/config_walk.c src/core/config_api.c \
                          src/core/config_path.c \
                          src/core/config_checks.c src/core/config_secrets.c \
                          src/intel/intel_load.c \
                          src/source/decode.c src/source/decode_zstd.c \
                          src/source/source_file.c
FUZZ_EXTRA_fuzz_target_spec := $(wildcard src/bus/target*.c) src/net/net_guard.c src/net/net_url.c \
                               src/core/clock.c
FUZZ_EXTRA_fuzz_follow_name := src/core/follow_settle.c
FUZZ_EXTRA_fuzz_claim_token := src/bus/claim.c
FUZZ_EXTRA_fuzz_api := $(APP_SRC) $(BUILD)/gen/web_assets_gen.c
FUZZ_EXTRA_fuzz_sigv4 := src/api/sigv4.c src/api/api_creds.c
FUZZ_EXTRA_fuzz_web_serve := src/api/web_serve.c src/api/web_assets.c $(BUILD)/gen/web_assets_gen.c
FUZZ_EXTRA_fuzz_api_write := $(APP_SRC) $(BUILD)/gen/web_assets_gen.c
FUZZ_EXTRA_fuzz_canary_params := src/canary/canary_params.c
FUZZ_EXTRA_fuzz_events := $(APP_SRC) $(BUILD)/gen/web_assets_gen.c

fuzz_extra_obj = $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(FUZZ_EXTRA_$(1)))
.PRECIOUS: $(FUZZ_OBJ)/%.o

.SECONDEXPANSION:
$(BUILD)/fuzz/%: tests/fuzz/%.c $$(call fuzz_extra_obj,$$*) $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -MMD -MP -MT $@ -MF $@.d -o $@ \
	  $< $(call fuzz_extra_obj,$*) $(FUZZ_LIB) $(PKG_LIBS) -lm

fuzz-build:
	@if command -v $(FUZZ_CC) >/dev/null; then \
	  $(MAKE) --no-print-directory $$($(SUBMAKE_JOBS)) SANITIZE= BUILD=build \
	    $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%); \
	else echo "fuzz: $(FUZZ_CC) not found, fuzz targets not built"; fi

fuzz: deps fuzz-build
	@scripts/run-fuzz build/fuzz $(FUZZ_TIME)

format:
	clang-format -i $$(find lib src include tests bench tools -name '*.[ch]' 2>/dev/null)

checksrc:
	@scripts/checksrc

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/coalmine \
	  $(DESTDIR)$(PREFIX)/share/coalmine
	install -m 755 $(BUILD)/coalmine $(DESTDIR)$(PREFIX)/bin/coalmine
	install -m 644 $(BUILD)/libcoalmine.a $(DESTDIR)$(PREFIX)/lib/libcoalmine.a
	cp -r include/coalmine/. $(DESTDIR)$(PREFIX)/include/coalmine/
	for d in base event parse detect; do install -d $(DESTDIR)$(PREFIX)/include/coalmine/$$d; \
	  for h in lib/$$d/*.h; do case $$h in *_impl.h|*_int.h) ;; \
	    *) install -m 644 $$h $(DESTDIR)$(PREFIX)/include/coalmine/$$d/ ;; esac; done; done
	if [ -d share ]; then cp -r share/. $(DESTDIR)$(PREFIX)/share/; fi
	install -d $(DESTDIR)$(PREFIX)/share/doc/coalmine
	cp -r docs/. $(DESTDIR)$(PREFIX)/share/doc/coalmine/
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/coalmine/README.md

clean:
	rm -rf build build-san

-include $(shell find $(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz-obj $(BUILD)/fuzz -name '*.d' 2>/dev/null)
