// SPDX-License-Identifier: MIT
/*
 * Request lines as a session reads them from any local client (the session
 * end of the protocol, lib/server/wire.c): srv_request_decode() on
 * any bytes.  Oracles:
 *  - it answers 0 or -EINVAL; a request it takes names a command and, for
 *    arm, "all" or one known event type; a refusal has a sentence, and that
 *    sentence, sent back as the server does (srv_reply_fail), is read by
 *    the client (proto_reply_decode) as the same words;
 *  - a request it takes, encoded as a client does (proto_request_encode),
 *    decodes to the same request, and encodes again byte for byte.
 * With ZCRX_FUZZ_SEEDS_DECODE set, a refusal is a crash too: the seeds named
 * bad-* are refusals, tests/test_fuzz_seeds.sh replays the others so.
 */
#include <errno.h>

#include "fuzz.h"
#include "proto.h"
#include "server/server_int.h"


static int must_decode = -1;

/* The refusal the server sends for err, as its client reads it back. */
static void check_refusal(const char *err)
{
	struct proto_reply back;
	char *line;
	size_t len;

	fz_assert(memchr(err, 0, sizeof(back.error)) && err[0], "no sentence");
	line = srv_reply_fail(0, err, &len);
	fz_assert(line, "out of memory");
	fz_assert(!proto_reply_decode(line, len, PROTO_BODY_NONE, &back),
		  "the client cannot read the refusal: %.*s", (int)len, line);
	fz_assert(!back.ok && !strcmp(back.error, err), "\"%s\" read back as \"%s\"", err,
		  back.error);
	free(line);
}

/* What the server took, as a client writes it. */
static struct proto_request as_client(const struct srv_request *s)
{
	return (struct proto_request){ .cmd = (enum proto_cmd)s->cmd, .all = s->all,
				       .event = s->event };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_request rq, rq2;
	struct proto_request p1, p2;
	char err[512], err2[512];
	char *w1, *w2;
	size_t l1, l2;
	int ret;

	if (must_decode < 0)
		must_decode = getenv("ZCRX_FUZZ_SEEDS_DECODE") != NULL;
	memset(err, 0, sizeof(err));
	ret = srv_request_decode((const char *)data, size, &rq, err, sizeof(err));
	fz_assert(ret == 0 || ret == -EINVAL, "ret %d", ret);
	/* libFuzzer runs an empty input first over a directory */
	fz_assert(!must_decode || !ret || !size, "a seed that no longer decodes: %s", err);
	if (ret) {
		check_refusal(err);
		return 0;
	}
	fz_assert((unsigned int)rq.cmd <= SRV_SUBSCRIBE, "cmd %d", rq.cmd);
	if (rq.cmd == SRV_ARM)
		fz_assert(rq.all || (unsigned int)rq.event < ZCRX_EV_COUNT, "event %d", rq.event);
	else
		fz_assert(!rq.all && !rq.event, "an event on cmd %d", rq.cmd);

	p1 = as_client(&rq);
	w1 = proto_request_encode(&p1, &l1);
	fz_assert(w1, "out of memory");
	ret = srv_request_decode(w1, l1, &rq2, err2, sizeof(err2));
	fz_assert(ret == 0, "own line does not parse back (%s): %.*s", err2, (int)l1, w1);
	fz_assert(rq2.cmd == rq.cmd && rq2.all == rq.all && rq2.event == rq.event,
		  "%d/%d/%d became %d/%d/%d", rq.cmd, rq.all, rq.event, rq2.cmd, rq2.all,
		  rq2.event);
	p2 = as_client(&rq2);
	w2 = proto_request_encode(&p2, &l2);
	fz_assert(w2, "out of memory");
	fz_assert(l1 == l2 && !memcmp(w1, w2, l1), "not stable:\n%.*s%.*s", (int)l1, w1,
		  (int)l2, w2);
	free(w1);
	free(w2);
	return 0;
}
