// SPDX-License-Identifier: MIT
/* The version of the library itself, for callers built against other headers. */
#include "zcrx.h"

int zcrx_major_version(void)
{
	return ZCRX_VERSION_MAJOR;
}

int zcrx_minor_version(void)
{
	return ZCRX_VERSION_MINOR;
}

bool zcrx_check_version(int major, int minor)
{
	return ZCRX_CHECK_VERSION(major, minor);
}
