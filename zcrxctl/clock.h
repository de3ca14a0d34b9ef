/* SPDX-License-Identifier: MIT */
/* The clocks records and timers read. */
#ifndef ZCRXCTL_CLOCK_H
#define ZCRXCTL_CLOCK_H

#include <stdint.h>

#define NSEC_PER_SEC	1000000000ULL

/* CLOCK_MONOTONIC and CLOCK_REALTIME in ns. */
uint64_t mono_ns(void);
uint64_t real_ns(void);

#endif
