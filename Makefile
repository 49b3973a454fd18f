# nqi — build, run, test.
#   make          build build/nqi (and nothing else)
#   make run      install what is missing, build binary + web UI, init demo DB, serve
#   make test     install what is missing, build everything, run every test
#   make fuzz     run each fuzz target for a bounded time
# Parts of the build that belong to one module live in mk/<module>.mk.

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
EXTRA_LIBS := -lxlsxwriter -lqrencode -lpng -lpthread -lm
# The server's allocator (docs/decisions/0007): jemalloc took ~20% off the
# CPU of an EPCIS capture. Not in the ASan builds, which bring their own.
MALLOC_LIB := -ljemalloc

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS) $(EXTRA_LIBS)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.DEFAULT_GOAL := all

# Generated sources (mk/*.mk fragments append to GEN_SRC and add rules).
GEN_SRC :=
-include mk/*.mk

SRC      = $(sort $(filter-out src/main.c,$(shell find src -name '*.c')))
OBJ      = $(SRC:%.c=build/obj/%.o) $(GEN_SRC:build/gen/%.c=build/obj/gen/%.o)
ASAN_OBJ = $(SRC:%.c=build/asan/%.o) $(GEN_SRC:build/gen/%.c=build/asan/gen/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=build/tests/%)
UNIT_ASAN= $(UNIT_SRC:tests/unit/%.c=build/tests-asan/%)
# Shared test helpers (tests/unit/*.c that are not tests: the database
# fixture) are linked into every unit test.
UNIT_LIB      = $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))
UNIT_LIB_OBJ  = $(UNIT_LIB:%.c=build/obj/%.o)
UNIT_LIB_ASAN = $(UNIT_LIB:%.c=build/asan/%.o)

.PHONY: all deps web run test unit unit-asan fuzz clean bench format

all: build/nqi

build/nqi: build/obj/src/main.o build/libnqi.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(MALLOC_LIB)

build/libnqi.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

build/obj/%.o: %.c $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

build/asan/%.o: %.c $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -c -o $@ $<

build/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -c -o $@ $<

build/libnqi-asan.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/tests/%: tests/unit/%.c $(UNIT_LIB_OBJ) build/libnqi.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(UNIT_LIB_OBJ) build/libnqi.a $(LDLIBS) -lcmocka

build/tests-asan/%: tests/unit/%.c $(UNIT_LIB_ASAN) build/libnqi-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -Itests/unit -o $@ $< $(UNIT_LIB_ASAN) build/libnqi-asan.a $(LDLIBS) -lcmocka

build/asan-nqi: build/asan/src/main.o build/libnqi-asan.a
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

unit: $(UNIT_BIN)
unit-asan: $(UNIT_ASAN)

deps:
	@scripts/deps.sh

web:
	@scripts/web.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/web.sh
	@scripts/run.sh

test: deps
	@$(MAKE) --no-print-directory all unit unit-asan
	@scripts/web.sh
	@scripts/test.sh

fuzz: deps
	@scripts/fuzz.sh

bench: deps all
	@bench/run.sh

format:
	clang-format -i $(shell find src tests/unit tests/fuzz -name '*.[ch]')

clean:
	rm -rf build web/dist

-include $(shell find build -name '*.d' 2>/dev/null)
