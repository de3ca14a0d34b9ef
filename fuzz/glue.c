// SPDX-License-Identifier: MIT
/*
 * What zcrxctl/main.c defines and the parsers under test use, for fuzz
 * binaries that link the CLI's parsers without its main().
 */
#include "main.h"

struct global_opts g_opts = { .color = COLOR_NEVER };
const char *prog_name = "zcrxctl";
