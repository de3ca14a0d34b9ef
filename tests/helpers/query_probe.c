// SPDX-License-Identifier: MIT
/*
 * Independent facts for tests/test_features.sh: the query op and the zcrx
 * registration op asked directly with raw syscalls and offsets written out
 * by hand from the ABI sheet, sharing no code with libzcrx.
 * Prints KEY=VALUE lines.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static long reg(int fd, unsigned int op, void *arg, unsigned int nr)
{
	long r = syscall(427, fd, op, arg, nr);

	return r < 0 ? -errno : r;
}

int main(void)
{
	/* three 40-byte query headers chained: ops 0, 1, 3 */
	unsigned char h[3][40], d[3][64];
	unsigned int ops[3] = { 0, 1, 3 };
	unsigned int p[30] = { 0 };	/* struct io_uring_params, 120 bytes */
	uint32_t u32;
	int32_t s32;
	uint64_t u64;
	long r;
	int ring;
	void *bad;

	memset(h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	for (int i = 0; i < 3; i++) {
		u64 = i < 2 ? (uintptr_t)h[i + 1] : 0;
		memcpy(h[i] + 0, &u64, 8);		/* next_entry */
		u64 = (uintptr_t)d[i];
		memcpy(h[i] + 8, &u64, 8);		/* query_data */
		memcpy(h[i] + 16, &ops[i], 4);		/* query_op */
		u32 = 64;
		memcpy(h[i] + 20, &u32, 4);		/* size */
	}
	r = reg(-1, 35, h[0], 0);
	printf("query_ret=%ld\n", r);
	for (int i = 0; i < 3 && r == 0; i++) {
		memcpy(&s32, h[i] + 24, 4);
		printf("op%u_result=%d\n", ops[i], s32);
	}
	if (r == 0) {
		memcpy(&u32, d[0] + 0, 4);
		printf("nr_request_opcodes=%u\n", u32);
		memcpy(&u32, d[0] + 4, 4);
		printf("nr_register_opcodes=%u\n", u32);
		memcpy(&u32, d[0] + 40, 4);
		printf("nr_query_opcodes=%u\n", u32);
		memcpy(&u32, d[1] + 20, 4);
		printf("zcrx_features=%u\n", u32);
		memcpy(&u64, d[1] + 0, 8);
		printf("zcrx_register_flags=%llu\n", (unsigned long long)u64);
		memcpy(&u32, d[1] + 16, 4);
		printf("zcrx_nr_ctrl=%u\n", u32);
	}

	/* io_uring_setup(4, SINGLE_ISSUER|DEFER_TASKRUN|CQE32) */
	p[2] = (1U << 12) | (1U << 13) | (1U << 11);	/* params.flags at byte 8 */
	ring = syscall(425, 4, p);
	printf("ring=%s\n", ring >= 0 ? "ok" : strerror(errno));
	if (ring >= 0) {
		bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("zcrx_reg=%ld\n", reg(ring, 32, bad, 1));
		printf("zcrx_ctrl=%ld\n", reg(ring, 36, bad, 0));
		close(ring);
	}
	return 0;
}
