// SPDX-License-Identifier: MIT
/* RUNDIR for zcrxctl's clients, in libzcrx's words. */
#include <stdio.h>

#include "rundir.h"
#include "zcrx_server.h"

int rundir_get(char *buf, size_t len, char *err, size_t errlen)
{
	struct zcrx_diag d;
	int ret = zcrx_server_rundir(buf, len, &d);

	if (ret)
		snprintf(err, errlen, "%s", d.msg);
	return ret;
}
