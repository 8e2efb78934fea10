# attnclf - see README.md. `make` builds ./attnclf; `make check` runs every test;
# `make demo` trains, evaluates and predicts on the bundled AG News sample; `make deps`
# installs the Debian packages these need (the other targets only say what is missing).
CC      ?= cc
OPT     ?= -O2
CFLAGS  ?=
SAN     ?=
CFLAGS  += -std=c11 $(OPT) $(SAN) -fno-math-errno -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP
LDFLAGS += $(SAN)
LDLIBS  := -lcsv -lcjson -lutf8proc -lxxhash -lm

ifeq ($(NO_OMP),1)
  CFLAGS += -fopenmp-simd -Wno-unknown-pragmas
else
  CFLAGS  += -fopenmp
  LDFLAGS += -fopenmp
endif

CHECK_LIBS := -lcheck -lsubunit -lrt -pthread

BUILD   := build

# `make MPI=1`: built with mpicc (Open MPI) for one training run over several
# processes under mpirun (README "Several processes"), in build/mpi; both
# flavours write ./attnclf, which is relinked when the flavour changes.
ifeq ($(MPI),1)
  CC      := mpicc
  CFLAGS  += -DATTNCLF_MPI
  BUILD   := build/mpi
endif
# src/ is grouped by layer (README "Code map"); every folder is on the include path.
SRC_DIRS := $(sort $(dir $(wildcard src/*/*.c)))
CFLAGS  += $(patsubst %/,-I%,$(SRC_DIRS))
LIB_SRC := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
LIB     := $(BUILD)/libattnclf.a
BIN     := attnclf
TESTBIN := $(BUILD)/check_attnclf
FLAVOR  := build/.flavor-$(subst /,-,$(BIN))
$(shell mkdir -p build; echo "mpi=$(MPI)" | cmp -s - $(FLAVOR) 2>/dev/null || echo "mpi=$(MPI)" > $(FLAVOR))

.PHONY: all check unit cli demo deps asan valgrind clean check-browser bench-tools install uninstall man check-man check-data

all: $(BIN)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/cli/main.o $(LIB) $(FLAVOR)
	$(CC) $(LDFLAGS) -o $@ $(filter-out $(FLAVOR),$^) $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(BUILD) $(BUILD)/tests $(BUILD)/tools:
	mkdir -p $@

# tests/tools: small programs the scripts run (htmldemo writes the demo page).
$(BUILD)/tools/%.o: tests/tools/%.c | $(BUILD)/tools
	$(CC) $(CFLAGS) -Isrc -c $< -o $@

$(BUILD)/htmldemo: $(BUILD)/tools/htmldemo.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Test helpers: tests/cli.sh reads JSON (cJSON) and compares checkpoints' sections
# with them, no Python in `make check`. ckptcmp sits beside jsonget, where cli.sh looks.
JSONGET := $(BUILD)/jsonget
CKPTCMP := $(BUILD)/ckptcmp
$(JSONGET): tests/tools/jsonget.c $(CKPTCMP) | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lcjson
$(CKPTCMP): tests/tools/ckptcmp.c | $(BUILD)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Installs the binary, the man page and the bash completion under PREFIX, staged
# under DESTDIR when packaging (make install DESTDIR=debian/tmp PREFIX=/usr).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/attnclf
	install -m 644 docs/attnclf.1 $(DESTDIR)$(MANDIR)/man1/attnclf.1
	install -m 644 scripts/attnclf-completion.bash $(DESTDIR)$(COMPDIR)/attnclf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/attnclf $(DESTDIR)$(MANDIR)/man1/attnclf.1 $(DESTDIR)$(COMPDIR)/attnclf

# docs/attnclf.1 from the --help texts (help2man); check-man: it is current and
# renders without warnings (CI installs help2man and man-db).
man: $(BIN)
	scripts/gen-man.sh ./$(BIN) docs/attnclf.1

check-man: $(BIN)
	@sh scripts/install-deps.sh --check --build help2man man-db
	scripts/gen-man.sh --check ./$(BIN) docs/attnclf.1
	@w=$$(MANWIDTH=80 man --warnings -l docs/attnclf.1 2>&1 >/dev/null); \
	    if [ -n "$$w" ]; then echo "check-man: man -l warns: $$w" >&2; exit 1; fi
	@d=$$(mktemp -d /tmp/attnclf-man-XXXXXX); $(MAKE) -s install PREFIX=$$d >/dev/null; \
	    MANWIDTH=80 man -M $$d/share/man attnclf 2>&1 | grep -q "attnclf train" && r=0 || r=1; rm -rf $$d; \
	    if [ $$r -ne 0 ]; then echo "check-man: man attnclf after make install PREFIX=... fails" >&2; exit 1; fi; \
	    echo "check-man: renders, and man finds it after make install"

# Measurement programs (bench/*.c) linked with the library: build/bench/NAME.
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
bench-tools: $(BENCH_BINS)

$(BUILD)/bench/%: bench/%.c $(LIB) | $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# scripts/ckpt_drop.c (a checkpoint less some sections), for the calibration scripts.
$(BUILD)/ckpt_drop: scripts/ckpt_drop.c $(LIB) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/bench:
	mkdir -p $@

# Installs the Debian packages the build and the tests need, only those missing (as root,
# or through sudo). The other targets never install: they check and name what is missing.
deps:
	sh scripts/install-deps.sh $(if $(filter 1,$(MPI)),mpi)

# Check kills a test that outlives its timeout (4 s unless the suite sets one): a timed
# assertion. Times ten, the timeouts only catch hangs: under ASan with the machine's load
# at 14, fuzzcases' checkpoint replay took 59 s of its 120.
CK_ENV := CK_TIMEOUT_MULTIPLIER=10

unit: $(TESTBIN)
	$(CK_ENV) $(TESTBIN)

cli: $(BIN) $(JSONGET)
	JSONGET=$(JSONGET) tests/cli.sh ./$(BIN)
	tests/badinput.sh ./$(BIN)
	tests/install.sh
	tests/getdata.sh

check:
	@sh scripts/install-deps.sh --check $(if $(filter 1,$(MPI)),mpi)
	$(MAKE) $(BIN) $(TESTBIN) $(JSONGET)
	$(CK_ENV) $(TESTBIN)
	JSONGET=$(JSONGET) tests/cli.sh ./$(BIN)
	tests/badinput.sh ./$(BIN)
	tests/install.sh
	tests/getdata.sh
	$(if $(filter 1,$(MPI)),tests/mpi.sh ./$(BIN))

# scripts/get-data.sh's converters that run python3 (imdb, the SST-2 zip, the harvardnlp
# files) on made-up downloads, and on copies of ../shared/data when it is there. `make
# check` runs the rest of tests/getdata.sh, which needs no Python.
check-data:
	tests/getdata.sh --python

demo:
	@sh scripts/install-deps.sh --check --build
	$(MAKE) $(BIN)
	scripts/demo.sh ./$(BIN)

# The demo page in headless Chromium (installed when missing): not blank at
# desktop and phone widths, every chart element in the DOM, no network request.
check-browser:
	scripts/check-browser.sh

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, in build/asan.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	@sh scripts/install-deps.sh --check
	$(MAKE) BUILD=build/asan BIN=build/asan/attnclf OPT="-O1 -g" SAN="$(ASAN_FLAGS)" build/asan/attnclf build/asan/check_attnclf build/asan/jsonget
	$(CK_ENV) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/check_attnclf
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 JSONGET=build/asan/jsonget tests/cli.sh build/asan/attnclf
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/badinput.sh build/asan/attnclf

# End-to-end train/eval/predict under valgrind: any error or definite leak fails.
valgrind:
	@sh scripts/install-deps.sh --check valgrind
	$(MAKE) BUILD=build/valgrind BIN=build/valgrind/attnclf OPT="-O1 -g" build/valgrind/attnclf
	tests/valgrind.sh build/valgrind/attnclf

clean:
	rm -rf $(BUILD) $(BIN)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/cli/main.d $(BUILD)/tools/htmldemo.d $(BUILD)/jsonget.d $(BENCH_BINS:=.d)

# ---- fuzzing (tests/fuzz/README.md) ----
# `make fuzz [FUZZ_SECONDS=600]` builds one libFuzzer binary per harness in
# build/fuzz with clang (installed when missing) and runs each in turn for
# FUZZ_SECONDS over a copy of its seed corpus in build/fuzz/corpus-NAME, so the
# committed seeds are not flooded; it stops with a non-zero status at the first
# harness that crashes, leaving the input in build/fuzz/artifacts-NAME/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzz
# name:max_len; a config is small, the others need room for a few rows, a checkpoint,
# a .vec file with 300-dimensional vectors, or a quantized matrix with its codebooks.
FUZZ_RUNS    := reader:65536 tokenizer:65536 config:4096 ckpt:65536 vec:65536 quant:65536
FUZZ_NAMES   := $(foreach r,$(FUZZ_RUNS),$(firstword $(subst :, ,$(r))))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# No -fopenmp: clang's OpenMP runtime may be missing, and the harnesses are serial.
FUZZ_CFLAGS  := -std=c11 -g -O1 -Wall -Wextra -Wno-unknown-pragmas -D_POSIX_C_SOURCE=200809L \
                -D_DEFAULT_SOURCE -DATTNCLF_LIBFUZZER $(patsubst %/,-I%,$(SRC_DIRS)) -MMD -MP $(FUZZ_SAN)
FUZZ_LIB_OBJ := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(filter-out src/cli/%,$(wildcard src/*/*.c)))
FUZZ_OBJ     := $(FUZZ_LIB_OBJ) $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz_%.o)
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz
# Reached only through pattern rules, so make would delete them after each build.
.SECONDARY: $(FUZZ_OBJ)

fuzz:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || scripts/install-deps.sh clang
	$(MAKE) $(FUZZ_BINS)
	@set -e; for r in $(FUZZ_RUNS); do \
	    n=$${r%%:*}; len=$${r#*:}; \
	    mkdir -p $(FUZZ_DIR)/corpus-$$n $(FUZZ_DIR)/artifacts-$$n; \
	    for f in tests/fuzz/corpus/$$n/* tests/fuzz/regress/$$n/*; do \
	        if [ -f "$$f" ]; then cp "$$f" $(FUZZ_DIR)/corpus-$$n/; fi; \
	    done; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -max_len=$$len -timeout=10 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts-$$n/ $(FUZZ_DIR)/corpus-$$n || \
	        { echo "fuzz: $$n failed: input in $(FUZZ_DIR)/artifacts-$$n/" >&2; exit 1; }; \
	done

$(FUZZ_DIR)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c | $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(FUZZ_DIR)/obj:
	mkdir -p $@

-include $(FUZZ_OBJ:.o=.d)
