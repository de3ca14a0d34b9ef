# SPDX-License-Identifier: MIT
# zcrxctl and libzcrx.  `make`, `make check`, `make SANITIZE=1 check`.
# `make reliability`: hostile input, faults and load, the table README quotes.

VERSION		:= 0.4.0
# 0.2 grew the caller's structs (reserved tails): 0.1 binaries cannot load it
SOVERSION	:= 1

CC		?= gcc
OBJCOPY		?= objcopy
PKG_CONFIG	?= pkg-config
# liburing builds the library and the CLI, which speak netlink themselves
# (lib/nl.c: one library fewer to load and bind); libnl only the tests and
# fuzz targets (an independent reader of our netlink requests): its absence
# stops only those, with the line below.
NL_PKGS		:= libnl-3.0 libnl-genl-3.0
NL_OK		:= $(shell $(PKG_CONFIG) --exists $(NL_PKGS) && echo y)

PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags liburing) \
		   $(if $(NL_OK),$(shell $(PKG_CONFIG) --cflags $(NL_PKGS)))
NL_LIBS		:= $(if $(NL_OK),$(shell $(PKG_CONFIG) --libs liburing $(NL_PKGS)))
# recursive: the error fires only in a recipe that links libnl
PKG_LIBS	= $(if $(NL_OK),$(NL_LIBS),$(error \
		  $@ links libnl: install libnl-3-dev libnl-genl-3-dev))
LIB_LIBS	:= $(shell $(PKG_CONFIG) --libs liburing)
ifeq ($(LIB_LIBS),)
$(error pkg-config found no liburing: install liburing-dev pkg-config)
endif

CFLAGS		?= -O2 -g
WARN		:= -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
		   -Wundef -Wpointer-arith -Wwrite-strings
# Each object and program notes the headers it read in a .d file beside it
# (-MP: a removed header is no error); the .d files are included below.
DEPFLAGS	= -MMD -MP -MF $@.d -MT $@
BASE_CFLAGS	:= -std=gnu11 $(WARN) -D_GNU_SOURCE -fPIC -Ilib -Ilib/sim $(PKG_CFLAGS) \
		   -DZCRXCTL_VERSION='"$(VERSION)"'
ifeq ($(SANITIZE),1)
SAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
ALL_CFLAGS	:= $(BASE_CFLAGS) $(SAN) $(CFLAGS)
ALL_LDFLAGS	:= $(SAN) $(LDFLAGS)

LIB_SRCS	:= $(sort $(wildcard lib/*.c lib/sim/*.c lib/server/*.c))
LIB_OBJS	:= $(LIB_SRCS:.c=.o)
CLI_SRCS	:= $(filter-out zcrxctl/main.c,$(sort $(wildcard zcrxctl/*.c zcrxctl/session/*.c)))
CLI_OBJS	:= $(CLI_SRCS:.c=.o)
UNIT_SRCS	:= $(sort $(wildcard tests/unit/*.c))
UNIT_BINS	:= $(UNIT_SRCS:.c=)
HELPER_SRCS	:= $(sort $(wildcard tests/helpers/*.c))
HELPER_BINS	:= $(HELPER_SRCS:.c=)

SONAME		:= libzcrx.so.$(SOVERSION)
SHLIB		:= lib/libzcrx.so.$(VERSION)

all: lib/libzcrx.a lib/$(SONAME) lib/libzcrx.so zcrxctl/zcrxctl

# Rebuild everything when the flags change (e.g. SANITIZE=1 after a plain build).
.flags: FORCE
	@echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || echo '$(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@

%.o: %.c .flags
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# Only what zcrx.h and zcrx_diag.h mark ZCRX_API leaves the library.  The
# shared one has -fvisibility=hidden and the map; the installed archive is one
# relocatable object whose hidden symbols are made local, so zcrx_nl_* and the
# like cannot clash with an application's.  The tree's tests, fuzzers and
# benchmarks reach internals through libzcrx_internal.a, never installed.
$(LIB_OBJS): ALL_CFLAGS += -fvisibility=hidden

lib/libzcrx_internal.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

lib/libzcrx_all.o: $(LIB_OBJS)
	$(LD) -r -o $@.tmp $^
	$(OBJCOPY) --localize-hidden $@.tmp $@
	rm -f $@.tmp

lib/libzcrx.a: lib/libzcrx_all.o
	rm -f $@
	$(AR) rcs $@ $^

$(SHLIB): $(LIB_OBJS) lib/libzcrx.map lib/sim/libzcrx-sim.map
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/libzcrx.map \
		-Wl,--version-script=lib/sim/libzcrx-sim.map \
		-Wl,--no-undefined -o $@ $(LIB_OBJS) $(LIB_LIBS)

lib/$(SONAME): $(SHLIB)
	ln -sf $(notdir $<) $@

lib/libzcrx.so: lib/$(SONAME)
	ln -sf $(notdir $<) $@

zcrxctl/libcli.a: $(CLI_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# The CLI carries libzcrx statically, as bpftool carries libbpf.
zcrxctl/zcrxctl: zcrxctl/main.o zcrxctl/libcli.a lib/libzcrx.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_LIBS)

tests/unit/%: tests/unit/%.c zcrxctl/libcli.a lib/libzcrx_internal.a .flags
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Izcrxctl -o $@ $< zcrxctl/libcli.a lib/libzcrx_internal.a \
		$(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

tests/helpers/%: tests/helpers/%.c lib/libzcrx_internal.a .flags
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< lib/libzcrx_internal.a $(ALL_LDFLAGS) $(PKG_LIBS)

BENCH_BINS	:= bench/recycle bench/cputime

bench/%: bench/%.c lib/libzcrx_internal.a .flags
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< lib/libzcrx_internal.a $(ALL_LDFLAGS) $(PKG_LIBS)

# Performance goals are measured here, never by timed tests: issue 14's
# table (bench/run.sh), about 4 minutes.  BENCH_QUICK=1: tiny counts.
bench: all $(BENCH_BINS)
	@BENCH_QUICK=$(BENCH_QUICK) bash bench/run.sh

# tests/test_bench.sh runs it with tiny counts, so it does not rot
check: $(BENCH_BINS)
# bench/nodev.sh counts the VM guest's syscalls with it
bench: tests/helpers/sysc

check: all $(UNIT_BINS) $(HELPER_BINS)
	@bash tests/run.sh

# The reliability suite (tests/reliability/run.sh): prints the README's
# Reliability table, exits 1 if any try did not hold.  RELIABILITY_FLAGS=--quick
reliability: all $(HELPER_BINS)
	@bash tests/reliability/run.sh $(RELIABILITY_FLAGS)

# The VM tier alone: Debian's kernels under QEMU (tests/vm/README.md).  `make
# check` runs it too, unless ZCRX_VM=0.
check-vm: all $(UNIT_BINS) $(HELPER_BINS)
	@bash tests/vm/run.sh

clean:
	rm -f lib/*.o lib/sim/*.o lib/server/*.o lib/*.a lib/*.so* zcrxctl/*.o zcrxctl/session/*.o zcrxctl/*.a zcrxctl/zcrxctl \
		$(UNIT_BINS) $(HELPER_BINS) $(BENCH_BINS) .flags $(DEPS)

DEPS		:= $(addsuffix .d,$(LIB_OBJS) $(CLI_OBJS) zcrxctl/main.o $(UNIT_BINS) \
		   $(HELPER_BINS) $(BENCH_BINS))
-include $(DEPS)

.PHONY: all check check-vm clean bench reliability FORCE install uninstall lint-man clean-generated

# ---------------------------------------------------------------------------
# Install, like any distribution tool:
#   make install PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu DESTDIR=/tmp/pkg
# zcrxctl goes to SBINDIR, as ethtool does; BINDIR is for tools that any user
# runs (none yet).  Completions and the unit go under PREFIX, never a
# hard-coded /usr/share.

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR	?= $(PREFIX)/share/zsh/vendor-completions
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
INSTALL		?= install
MANDOC		?= mandoc

MAN8		:= man/zcrxctl.8
MAN3		:= man/libzcrx.3
UNIT		:= zcrxctl-watch@.service
METRICS_UNITS	:= zcrxctl-metrics.service zcrxctl-metrics.timer

all: lib/libzcrx.pc

# The .pc file is generated from the install paths, and rewritten only when
# they change; paths under PREFIX are written as ${prefix}/..., so
# pkg-config --define-variable=prefix=... can relocate it.
PC_SED		:= -e 's|@PREFIX@|$(PREFIX)|g' \
		   -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|g' \
		   -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|g' \
		   -e 's|@VERSION@|$(VERSION)|g'

lib/libzcrx.pc: lib/libzcrx.pc.in FORCE
	@sed $(PC_SED) $< | cmp -s - $@ || sed $(PC_SED) $< > $@

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 0755 zcrxctl/zcrxctl $(DESTDIR)$(SBINDIR)/zcrxctl
	$(INSTALL) -m 0644 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libzcrx.so
	$(INSTALL) -m 0644 lib/libzcrx.a $(DESTDIR)$(LIBDIR)/libzcrx.a
	$(INSTALL) -m 0644 lib/libzcrx.pc $(DESTDIR)$(PKGCONFIGDIR)/libzcrx.pc
	$(INSTALL) -m 0644 lib/zcrx.h $(DESTDIR)$(INCLUDEDIR)/zcrx.h
	$(INSTALL) -m 0644 lib/zcrx_diag.h $(DESTDIR)$(INCLUDEDIR)/zcrx_diag.h
	$(INSTALL) -m 0644 lib/zcrx_server.h $(DESTDIR)$(INCLUDEDIR)/zcrx_server.h
	$(INSTALL) -m 0644 lib/sim/zcrx_sim.h $(DESTDIR)$(INCLUDEDIR)/zcrx_sim.h
	$(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	$(INSTALL) -m 0644 completions/bash/zcrxctl $(DESTDIR)$(BASHCOMPDIR)/zcrxctl
	$(INSTALL) -m 0644 completions/zsh/_zcrxctl $(DESTDIR)$(ZSHCOMPDIR)/_zcrxctl
	sed 's|/usr/local/sbin/zcrxctl|$(SBINDIR)/zcrxctl|g' systemd/$(UNIT) \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/$(UNIT)
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$(UNIT)
	for u in $(METRICS_UNITS); do \
		sed 's|/usr/local/sbin/zcrxctl|$(SBINDIR)/zcrxctl|g' systemd/$$u \
			> $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/zcrxctl \
		$(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libzcrx.so $(DESTDIR)$(LIBDIR)/libzcrx.a \
		$(DESTDIR)$(PKGCONFIGDIR)/libzcrx.pc \
		$(DESTDIR)$(INCLUDEDIR)/zcrx.h $(DESTDIR)$(INCLUDEDIR)/zcrx_diag.h \
		$(DESTDIR)$(INCLUDEDIR)/zcrx_sim.h $(DESTDIR)$(INCLUDEDIR)/zcrx_server.h \
		$(DESTDIR)$(MANDIR)/man8/$(notdir $(MAN8)) $(DESTDIR)$(MANDIR)/man3/$(notdir $(MAN3)) \
		$(DESTDIR)$(BASHCOMPDIR)/zcrxctl $(DESTDIR)$(ZSHCOMPDIR)/_zcrxctl \
		$(DESTDIR)$(SYSTEMDUNITDIR)/$(UNIT) \
		$(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(METRICS_UNITS))

# Every page, linted; any message (style included) fails `make check`.
lint-man:
	@command -v $(MANDOC) >/dev/null || { echo "lint-man: $(MANDOC) not found (apt-get install mandoc)" >&2; exit 1; }
	@out=$$($(MANDOC) -Tlint -Wstyle $(MAN8) $(MAN3) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out" >&2; exit 1; fi

check: lint-man

clean: clean-generated
clean-generated:
	rm -f lib/libzcrx.pc

# ---------------------------------------------------------------------------
# Fuzzing (libFuzzer, clang from Debian: clang and libclang-rt-14-dev).
#   make fuzz [FUZZ_SECONDS=60]    run every fuzz/fuzz_*.c target that long
#   make fuzz-build                only build them
#   make fuzz-seeds                re-record fuzz/corpus/nl from this kernel
# The targets build from the sources with clang, apart from the gcc build,
# under ASan + UBSan; objects, binaries, the growing corpora and crash files
# stay in fuzz/build.  The committed seeds (fuzz/corpus/TARGET) are only
# read.  A crash fails `make fuzz` and names the input that caused it.

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_DIR	:= fuzz/build
FUZZ_TARGETS	:= $(basename $(notdir $(wildcard fuzz/fuzz_*.c)))
FUZZ_BINS	:= $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS	:= $(filter-out -Werror,$(BASE_CFLAGS)) -Izcrxctl -Ifuzz -g -O1 $(FUZZ_SAN)
# the CLI's parsers and the print layer they use; all of libzcrx
FUZZ_DEP_SRCS	:= $(LIB_SRCS) zcrxctl/json_reader.c zcrxctl/record.c zcrxctl/print.c \
		   zcrxctl/units.c zcrxctl/parse.c zcrxctl/proto.c zcrxctl/backend.c \
		   zcrxctl/clock.c
FUZZ_DEP_SRCS	+= zcrxctl/record_scan.c
FUZZ_DEP_OBJS	:= $(addprefix $(FUZZ_DIR)/obj/,$(FUZZ_DEP_SRCS:.c=.o))
FUZZ_RUN_FLAGS	:= -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libfuzzdeps.a: $(FUZZ_DEP_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DIR)/libfuzzdeps.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libfuzzdeps.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

# Each target runs FUZZ_SECONDS on a scratch corpus seeded from the committed
# one; every target runs even after one has crashed, then the verdict.
fuzz: fuzz-build
	@failed=; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crash; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		   $(FUZZ_DIR)/$$t $(FUZZ_RUN_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(FUZZ_DIR)/crash/$$t- \
			$(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t >$(FUZZ_DIR)/$$t.log 2>&1; then \
			grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_DIR)/$$t.log | sed 's/^/    /'; \
		else \
			failed="$$failed $$t"; \
			grep -E 'ERROR|SUMMARY|oracle failed|Test unit written' $(FUZZ_DIR)/$$t.log | \
				head -n 8 | sed 's/^/    /'; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed (logs in $(FUZZ_DIR))"; exit 1; fi; \
	echo "fuzz: no crash in $(words $(FUZZ_TARGETS)) targets"

$(FUZZ_DIR)/nlrecord: fuzz/nlrecord.c lib/libzcrx_internal.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< lib/libzcrx_internal.a $(ALL_LDFLAGS) $(PKG_LIBS)

# Real replies of this kernel for lo and eth0 (and a veth pair when root).
fuzz-seeds: $(FUZZ_DIR)/nlrecord
	mkdir -p fuzz/corpus/fuzz_nl
	@if [ "$$(id -u)" = 0 ] && ip link add zcrxfz0 type veth peer name zcrxfz1 2>/dev/null; then \
		ip link set zcrxfz0 up; ip link set zcrxfz1 up; \
		$(FUZZ_DIR)/nlrecord fuzz/corpus/fuzz_nl lo eth0 zcrxfz0; \
		ip link del zcrxfz0; \
	else \
		$(FUZZ_DIR)/nlrecord fuzz/corpus/fuzz_nl lo eth0; \
	fi

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_DIR)

-include $(FUZZ_DEP_OBJS:=.d) $(FUZZ_BINS:=.d) $(FUZZ_DIR)/nlrecord.d

.PHONY: fuzz fuzz-build fuzz-seeds clean-fuzz

# ---------------------------------------------------------------------------
# examples/: applications as their authors would write them (public headers,
# the shared library), built by `make check` so that they never rot.

EXAMPLE_BINS	:= $(basename $(wildcard examples/*.c))

examples/%: examples/%.c lib/libzcrx.so .flags
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< -Llib -lzcrx -Wl,-rpath,'$$ORIGIN/../lib' \
		$(ALL_LDFLAGS) $(LIB_LIBS)

examples: $(EXAMPLE_BINS)
check check-vm: examples

clean: clean-examples
clean-examples:
	rm -f $(EXAMPLE_BINS) $(EXAMPLE_BINS:=.d)

-include $(EXAMPLE_BINS:=.d)

.PHONY: examples clean-examples
