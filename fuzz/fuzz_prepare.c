// SPDX-License-Identifier: MIT
/*
 * prepare's parsers of outside input: the state file (RUNDIR/DEV.prepare,
 * zcrx_prep_state_parse) and the ethtool replies lib/ethtool.c reads
 * (features, RSS, RSS context, an error's extack).  Every parser gets every
 * input past its first byte; the first byte only says which seed family it
 * came from.
 *
 * Oracles: a state that parses formats back to exactly the input (the
 * parser takes nothing format does not write), with its fields in range;
 * the reply parsers return only their documented results, never write an
 * indirection table past ZCRX_PREP_INDIR_MAX, and reads past nlmsg_len are
 * ASan reports (the message is copied to a buffer of exactly its size).
 */
#include <errno.h>

#include "fuzz.h"
#include "nl.h"
#include "prepare_int.h"

static void state(const uint8_t *data, size_t size)
{
	struct zcrx_prep_state *st = malloc(sizeof(*st));
	char *again;
	int ret, len;

	if (!st)
		abort();
	ret = zcrx_prep_state_parse((const char *)data, size, st);
	fz_assert(ret == 0 || ret == -EINVAL, "state: %d", ret);
	if (!ret) {
		fz_assert(st->before.indir_size <= ZCRX_PREP_INDIR_MAX, "indir %u",
			  st->before.indir_size);
		fz_assert(!(st->done >> ZCRX_PREP_STEPS) && !(st->pending & st->done), "done %#x",
			  st->done);
		fz_assert(strnlen(st->dev, IF_NAMESIZE) < IF_NAMESIZE, "dev not terminated");
		len = zcrx_prep_state_format(st, NULL, 0);
		again = malloc((size_t)len + 1);
		if (!again)
			abort();
		zcrx_prep_state_format(st, again, (size_t)len + 1);
		fz_assert((size_t)len == size && !memcmp(again, data, size),
			  "state parsed but formats differently");
		free(again);
	}
	free(st);
}

static void replies(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh;
	uint32_t *indir, n, a, b;
	char msg[16];
	int ret;

	if (size < sizeof(*nlh))
		return;
	nlh = malloc(size);
	indir = malloc((ZCRX_PREP_INDIR_MAX + 1) * sizeof(*indir));
	if (!nlh || !indir)
		abort();
	memcpy(nlh, data, size);
	if (nlh->nlmsg_len > size)
		nlh->nlmsg_len = (uint32_t)size;

	ret = zcrx_eth_parse_features(nlh, &a, &b);
	fz_assert(ret == 1 || ret == -EBADMSG, "features: %d", ret);
	fz_assert(a <= 1 && b <= 1, "features: ntuple %u fixed %u", a, b);

	indir[ZCRX_PREP_INDIR_MAX] = 0xfeedface;
	ret = zcrx_eth_parse_rss(nlh, indir, &n);
	fz_assert(ret == 1 || ret == -EBADMSG || ret == -E2BIG, "rss: %d", ret);
	fz_assert(n <= ZCRX_PREP_INDIR_MAX && indir[ZCRX_PREP_INDIR_MAX] == 0xfeedface,
		  "rss: %u entries", n);

	ret = zcrx_eth_parse_rss_ctx(nlh, &a);
	fz_assert(ret == 1 || ret == -EBADMSG, "rss ctx: %d", ret);
	fz_assert(ret != 1 || a != 0, "rss ctx 0 accepted");

	ret = zcrx_eth_parse_extack(nlh, msg, sizeof(msg));
	fz_assert(ret == 0 || ret == -EBADMSG, "extack: %d", ret);
	fz_assert(strnlen(msg, sizeof(msg)) < sizeof(msg), "extack: not terminated");
	free(indir);
	free(nlh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	state(data + 1, size - 1);
	replies(data + 1, size - 1);
	return 0;
}
