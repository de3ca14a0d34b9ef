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

.PHONY: all check clean bench FORCE install uninstall lint-man clean-generated

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
		$(DESTDIR)$(INCLUDEDIR)/zcrx $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 0755 zcrxctl/zcrxctl $(DESTDIR)$(SBINDIR)/zcrxctl
	$(INSTALL) -m 0644 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libzcrx.so
	$(INSTALL) -m 0644 lib/libzcrx.a $(DESTDIR)$(LIBDIR)/libzcrx.a
	$(INSTALL) -m 0644 lib/libzcrx.pc $(DESTDIR)$(PKGCONFIGDIR)/libzcrx.pc
	$(INSTALL) -m 0644 lib/zcrx.h $(DESTDIR)$(INCLUDEDIR)/zcrx.h
	$(INSTALL) -m 0644 lib/kabi.h $(DESTDIR)$(INCLUDEDIR)/zcrx/kabi.h
	$(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 $(MAN3) $(DESTDIR)$(MANDIR)/man3/
	$(INSTALL) -m 0644 completions/bash/zcrxctl $(DESTDIR)$(BASHCOMPDIR)/zcrxctl
	$(INSTALL) -m 0644 completions/zsh/_zcrxctl $(DESTDIR)$(ZSHCOMPDIR)/_zcrxctl
	sed 's|/usr/local/sbin/zcrxctl|$(SBINDIR)/zcrxctl|g' systemd/$(UNIT) \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/$(UNIT)
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$(UNIT)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/zcrxctl \
		$(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libzcrx.so $(DESTDIR)$(LIBDIR)/libzcrx.a \
		$(DESTDIR)$(PKGCONFIGDIR)/libzcrx.pc \
		$(DESTDIR)$(INCLUDEDIR)/zcrx.h $(DESTDIR)$(INCLUDEDIR)/zcrx/kabi.h \
		$(DESTDIR)$(MANDIR)/man8/$(notdir $(MAN8)) $(DESTDIR)$(MANDIR)/man3/$(notdir $(MAN3)) \
		$(DESTDIR)$(BASHCOMPDIR)/zcrxctl $(DESTDIR)$(ZSHCOMPDIR)/_zcrxctl \
		$(DESTDIR)$(SYSTEMDUNITDIR)/$(UNIT)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/zcrx 2>/dev/null

# Every page, linted; any message (style included) fails `make check`.
lint-man:
	@command -v $(MANDOC) >/dev/null || { echo "lint-man: $(MANDOC) not found (apt-get install mandoc)" >&2; exit 1; }
	@out=$$($(MANDOC) -Tlint -Wstyle $(MAN8) $(MAN3) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out" >&2; exit 1; fi

check: lint-man

clean: clean-generated
clean-generated:
	rm -f lib/libzcrx.pc

