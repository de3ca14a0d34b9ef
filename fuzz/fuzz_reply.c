// SPDX-License-Identifier: MIT
/*
 * Protocol reply lines as a client reads them from a session (`arm`,
 * `status`, `subscribe`): proto_reply_decode() on any bytes.  The first
 * input byte picks the body the client expects (enum proto_reply_body,
 * modulo its count), the rest is the line.  Oracles:
 *  - it answers 0 or -EPROTO, and a decoded reply keeps its documented
 *    shape: a refusal has no body and an errno in 0..4095, an answer the
 *    body asked for, masks of known event types, terminated strings;
 *  - what it decoded prints, text and JSON, through the print layer
 *    without a sanitizer report;
 *  - the reply encoded (proto_reply_encode, as the session writes it)
 *    decodes again, and the second encoding is the first byte for byte.
 * With ZCRX_FUZZ_SEEDS_DECODE set, an input that does not decode is a crash
 * too: tests/test_fuzz_seeds.sh so checks that every committed seed (all
 * real replies, refusals included) still decodes.
 */
#include <errno.h>

#include "fuzz.h"
#include "proto.h"

#define BODY_COUNT	(PROTO_BODY_ARMED + 1)

static FILE *devnull;
static int must_decode = -1;

static void check_shape(const struct proto_reply *rp, enum proto_reply_body body)
{
	uint32_t all = (1U << ZCRX_EV_COUNT) - 1;

	fz_assert(memchr(rp->error, 0, sizeof(rp->error)), "an unterminated error");
	fz_assert(memchr(rp->session.dev, 0, sizeof(rp->session.dev)), "an unterminated dev");
	if (!rp->ok) {
		fz_assert(rp->body == PROTO_BODY_NONE && !rp->has_mode, "a refusal with a body");
		fz_assert(rp->err >= 0 && rp->err < 4096, "errno %d", rp->err);
		return;
	}
	fz_assert(rp->body == body, "body %d, asked for %d", rp->body, body);
	fz_assert(!rp->err && !rp->error[0], "an answer with an error");
	fz_assert(!(rp->armed & ~all), "armed %#x", rp->armed);
	fz_assert(!(rp->session.events & ~all), "events %#x", rp->session.events);
	fz_assert(!(rp->session.fired & ~rp->session.events), "fired %#x of %#x",
		  rp->session.fired, rp->session.events);
	fz_assert((unsigned int)rp->session.mode <= BACKEND_SIM &&
		  (unsigned int)rp->mode <= BACKEND_SIM, "mode %d/%d", rp->session.mode, rp->mode);
}

/* What arm, status and subscribe print of a reply, through the same calls. */
static void print_reply(struct printer *pr, const struct proto_reply *rp)
{
	const struct proto_session *s = &rp->session;

	open_json_object(pr, NULL);
	if (!rp->ok) {
		print_string(pr, PRINT_ANY, "error", "Error: %s", rp->error);
		print_nl(pr);
	} else if (rp->body == PROTO_BODY_SESSION) {
		proto_session_print(pr, s);
		print_string(pr, PRINT_FP, NULL, "session dev=%s", s->dev);
		print_uint(pr, PRINT_FP, NULL, " queue=%u", s->queue);
		for (int t = 0; t < ZCRX_EV_COUNT; t++)
			if (s->events & ZCRX_EV_MASK(t))
				print_text(pr, " %s=%s:%llu", zcrx_event_name(t),
					   s->fired & ZCRX_EV_MASK(t) ? "fired" : "armed",
					   (unsigned long long)s->count[t]);
		print_nl(pr);
	} else if (rp->body == PROTO_BODY_ARMED) {
		open_json_array(pr, "armed");
		for (int t = 0; t < ZCRX_EV_COUNT; t++)
			if (rp->armed & ZCRX_EV_MASK(t))
				print_string(pr, PRINT_ANY, NULL, "armed type=%s",
					     zcrx_event_name(t));
		close_json_array(pr);
		if (rp->has_mode)
			backend_mode_print(pr, rp->mode);
		print_nl(pr);
	}
	close_json_object(pr);
	print_end(pr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum proto_reply_body body;
	struct proto_reply rp, rp2;
	struct printer pr;
	char *w1, *w2;
	size_t l1, l2;
	int ret;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
	}
	if (must_decode < 0)
		must_decode = getenv("ZCRX_FUZZ_SEEDS_DECODE") != NULL;
	if (!size)
		return 0;
	body = data[0] % BODY_COUNT;
	ret = proto_reply_decode((const char *)data + 1, size - 1, body, &rp);
	fz_assert(ret == 0 || ret == -EPROTO, "ret %d", ret);
	fz_assert(!must_decode || !ret, "a seed that no longer decodes: %.*s", (int)size, data);
	if (ret)
		return 0;
	check_shape(&rp, body);

	for (int json = 0; json < 2; json++) {
		printer_init(&pr, devnull, json, false, COLOR_NEVER);
		print_reply(&pr, &rp);
	}

	w1 = proto_reply_encode(&rp, &l1);
	fz_assert(w1, "out of memory");
	ret = proto_reply_decode(w1, l1, body, &rp2);
	fz_assert(ret == 0, "own line does not parse back (%d): %.*s", ret, (int)l1, w1);
	fz_assert(rp2.ok == rp.ok && rp2.body == rp.body, "ok %d body %d became %d %d", rp.ok,
		  rp.body, rp2.ok, rp2.body);
	check_shape(&rp2, body);
	w2 = proto_reply_encode(&rp2, &l2);
	fz_assert(w2, "out of memory");
	fz_assert(l1 == l2 && !memcmp(w1, w2, l1), "not stable:\n%.*s%.*s", (int)l1, w1,
		  (int)l2, w2);
	free(w1);
	free(w2);
	return 0;
}
