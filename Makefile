# SPDX-License-Identifier: MIT
# zcrxctl and libzcrx.  `make`, `make check`, `make SANITIZE=1 check`.

VERSION		:= 0.1.0
SOVERSION	:= 0

CC		?= gcc
PKG_CONFIG	?= pkg-config
PKGS		:= liburing libnl-3.0 libnl-genl-3.0

PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS))
ifeq ($(PKG_LIBS),)
$(error pkg-config found none of $(PKGS): install liburing-dev libnl-3-dev libnl-genl-3-dev pkg-config)
endif

CFLAGS		?= -O2 -g
WARN		:= -Wall -Wextra -Werror
BASE_CFLAGS	:= -std=gnu11 $(WARN) -D_GNU_SOURCE -fPIC -Ilib $(PKG_CFLAGS) \
		   -DZCRXCTL_VERSION='"$(VERSION)"'
ifeq ($(SANITIZE),1)
SAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
ALL_CFLAGS	:= $(BASE_CFLAGS) $(SAN) $(CFLAGS)
ALL_LDFLAGS	:= $(SAN) $(LDFLAGS)

LIB_SRCS	:= $(sort $(wildcard lib/*.c))
LIB_OBJS	:= $(LIB_SRCS:.c=.o)
CLI_SRCS	:= $(filter-out zcrxctl/main.c,$(sort $(wildcard zcrxctl/*.c)))
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

%.o: %.c .flags $(wildcard lib/*.h zcrxctl/*.h)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

lib/libzcrx.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(SHLIB): $(LIB_OBJS) lib/libzcrx.map
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/libzcrx.map \
		-Wl,--no-undefined -o $@ $(LIB_OBJS) $(PKG_LIBS)

lib/$(SONAME): $(SHLIB)
	ln -sf $(notdir $<) $@

lib/libzcrx.so: lib/$(SONAME)
	ln -sf $(notdir $<) $@

zcrxctl/libcli.a: $(CLI_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# The CLI carries libzcrx statically, as bpftool carries libbpf.
zcrxctl/zcrxctl: zcrxctl/main.o zcrxctl/libcli.a lib/libzcrx.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

tests/unit/%: tests/unit/%.c zcrxctl/libcli.a lib/libzcrx.a .flags
	$(CC) $(ALL_CFLAGS) -Izcrxctl -o $@ $< zcrxctl/libcli.a lib/libzcrx.a \
		$(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

tests/helpers/%: tests/helpers/%.c lib/libzcrx.a .flags
	$(CC) $(ALL_CFLAGS) -o $@ $< lib/libzcrx.a $(ALL_LDFLAGS) $(PKG_LIBS)

BENCH_BINS	:= bench/recycle

bench/%: bench/%.c lib/libzcrx.a .flags
	$(CC) $(ALL_CFLAGS) -o $@ $< lib/libzcrx.a $(ALL_LDFLAGS) $(PKG_LIBS)

# Performance goals are measured here, never by timed tests.
bench: all $(BENCH_BINS)
	@bash bench/run.sh

check: all $(UNIT_BINS) $(HELPER_BINS)
	@bash tests/run.sh

clean:
	rm -f lib/*.o lib/*.a lib/*.so* zcrxctl/*.o zcrxctl/*.a zcrxctl/zcrxctl \
		$(UNIT_BINS) $(HELPER_BINS) $(BENCH_BINS) .flags

.PHONY: all check clean bench FORCE
