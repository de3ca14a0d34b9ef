/* SPDX-License-Identifier: MIT */
/*
 * libzcrx internals shared between its source files and its tests; not
 * installed.  Nothing declared here is exported: the library builds with
 * -fvisibility=hidden and the installed libzcrx.a has these symbols
 * localised, so only the tree's lib/libzcrx_internal.a (tests, fuzzers,
 * benchmarks) links against them.
 */
#ifndef ZCRX_INTERNAL_H
#define ZCRX_INTERNAL_H

#include <errno.h>
#include <string.h>

#include "zcrx.h"
#include "zcrx_diag.h"
#include "kabi.h"

/* io_uring_register(2) as a -errno call */
int zcrx_sys_register(int fd, unsigned int op, void *arg, unsigned int nr_args);
/* fill gen / event_types / stats from the raw query results */
void zcrx_caps_derive(struct zcrx_caps *caps);

/*
 * Exactly io_uring_register(IORING_REGISTER_ZCRX_IFQ / _ZCRX_CTRL) on the
 * ctx's ring, or the simulator's model of it: -errno as the kernel gives.
 * The self-test and the conformance tests (tests/unit/conformance.h) speak
 * the kernel ABI through these; no application does, so they are not API.
 */
int zcrx_register_raw(struct zcrx_ctx *ctx, struct io_uring_zcrx_ifq_reg *reg);
int zcrx_ctrl_raw(struct zcrx_ctx *ctx, struct zcrx_ctrl *ctrl);

/* Fill d (stage, err, the sentence) and return err. */
__attribute__((format(printf, 4, 5)))
int zcrx_diag_fail(struct zcrx_diag *d, enum zcrx_stage stage, int err, const char *fmt, ...);

static inline bool zcrx_is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* the power of two at or above x (1 for 0) */
static inline uint32_t zcrx_roundup_pow2(uint32_t x)
{
	return x <= 1 ? 1 : 1U << (32 - __builtin_clz(x - 1));
}

/* The n bytes at p are all zero: eight at a time (the simulator checks a re-arm's 56) */
static inline bool zcrx_all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t v, any = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, b + i, 8);
		any |= v;
	}
	for (; i < n; i++)
		any |= b[i];
	return !any;
}

/* 0 when the n bytes at p (a struct's reserved tail) are all zero, else -EINVAL */
static inline int zcrx_resv_check(const void *p, size_t n)
{
	return zcrx_all_zero(p, n) ? 0 : -EINVAL;
}

#endif
