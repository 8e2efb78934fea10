# attnclf - see README.md. `make` builds ./attnclf; `make check` runs every test;
# `make demo` trains, evaluates and predicts on the bundled AG News sample.
CC      ?= cc
OPT     ?= -O2
CFLAGS  ?=
SAN     ?=
CFLAGS  += -std=c11 $(OPT) $(SAN) -fno-math-errno -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP
LDFLAGS += $(SAN)
LDLIBS  := -lcsv -lcjson -lm

ifeq ($(NO_OMP),1)
  CFLAGS += -fopenmp-simd -Wno-unknown-pragmas
else
  CFLAGS  += -fopenmp
  LDFLAGS += -fopenmp
endif

CHECK_LIBS := -lcheck -lsubunit -lrt -pthread

BUILD   := build
LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
LIB     := $(BUILD)/libattnclf.a
BIN     := attnclf
TESTBIN := $(BUILD)/check_attnclf

.PHONY: all check unit cli demo deps asan valgrind clean

all: $(BIN)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests
	$(CC) $(CFLAGS) -Isrc -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# Installs the Debian packages we need, only when one is missing.
deps:
	@scripts/install-deps.sh

unit: $(TESTBIN)
	$(TESTBIN)

cli: $(BIN)
	tests/cli.sh ./$(BIN)
	tests/badinput.sh ./$(BIN)

check: deps
	$(MAKE) $(BIN) $(TESTBIN)
	$(TESTBIN)
	tests/cli.sh ./$(BIN)
	tests/badinput.sh ./$(BIN)

demo: deps
	$(MAKE) $(BIN)
	scripts/demo.sh ./$(BIN)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, in build/asan.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan: deps
	$(MAKE) BUILD=build/asan BIN=build/asan/attnclf OPT="-O1 -g" SAN="$(ASAN_FLAGS)" build/asan/attnclf build/asan/check_attnclf
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/check_attnclf
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/cli.sh build/asan/attnclf
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/badinput.sh build/asan/attnclf

# End-to-end train/eval/predict under valgrind: any error or definite leak fails.
valgrind:
	@scripts/install-deps.sh valgrind
	$(MAKE) BUILD=build/valgrind BIN=build/valgrind/attnclf OPT="-O1 -g" build/valgrind/attnclf
	tests/valgrind.sh build/valgrind/attnclf

clean:
	rm -rf $(BUILD) $(BIN)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/main.d
