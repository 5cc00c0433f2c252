/*
 * sandbox.h — what the sensor does to itself so the bytes it handles cannot leak: no core
 * dumps (a core would hold packet buffers), not dumpable or ptrace-able by other users, and
 * after the live interface and the output files are open, no root.
 */
#ifndef ACD_SANDBOX_H
#define ACD_SANDBOX_H

#include <stddef.h>

#include "error.h"

/* PR_SET_DUMPABLE 0 and RLIMIT_CORE 0. Call first thing in main. */
void sandbox_no_core(void);
/* When running as root: checks that USER can read each of `paths` (directories: list and
 * enter), since the sensor re-reads approvals and revocations after it has dropped root to
 * USER. The check runs with USER's effective ids and returns to root. A no-op for others. */
enum acd_status sandbox_check_readable(const char *user, const char *const *paths, size_t n,
                                       struct acd_error *e);
/* When running as root: switch to USER (and its group), drop supplementary groups, and set
 * no_new_privs. A no-op for other users. */
enum acd_status sandbox_drop_root(const char *user, struct acd_error *e);

#endif
