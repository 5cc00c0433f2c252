/* sandbox.c — see sandbox.h. */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

void sandbox_no_core(void)
{
	struct rlimit none = {0, 0};
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		fatal(1, "setrlimit(RLIMIT_CORE)");
	/* Not dumpable also means no ptrace attach by the same uid; LeakSanitizer's own
	 * ptrace of its threads still works, so the sanitizer builds keep this too. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fatal(1, "prctl(PR_SET_DUMPABLE)");
}

static bool readable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	int mode = S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK;
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0;
}

enum acd_status sandbox_check_readable(const char *user, const char *const *paths, size_t n,
                                       struct acd_error *e)
{
	if (geteuid() != 0)
		return ACD_OK;
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return acd_fail(e, ACD_EINPUT, "user '%s' does not exist (needed to drop root)",
		                user);
	gid_t groups[64], egid = getegid();
	int ngroups = getgroups(64, groups);
	/* Only the effective ids change (and back): the real and saved ones stay root. Root's
	 * supplementary groups go too, as they will when root is dropped. */
	if (ngroups < 0 || setgroups(0, NULL) < 0 || setegid(pw->pw_gid) < 0 ||
	    seteuid(pw->pw_uid) < 0)
		fatal(1, "cannot take on the ids of '%s' to check what it may read", user);
	const char *bad = NULL;
	for (size_t i = 0; i < n && !bad; i++)
		if (!readable(paths[i]))
			bad = paths[i];
	if (seteuid(0) < 0 || setegid(egid) < 0 || setgroups((size_t)ngroups, groups) < 0)
		fatal(1, "cannot return to root after checking what '%s' may read", user);
	if (bad)
		return acd_fail(e, ACD_EINPUT,
		                "%s: not readable by %s, who re-reads it after root is dropped",
		                bad, user);
	return ACD_OK;
}

enum acd_status sandbox_drop_root(const char *user, struct acd_error *e)
{
	if (geteuid() != 0)
		return ACD_OK;
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return acd_fail(e, ACD_EINPUT, "user '%s' does not exist (needed to drop root)",
		                user);
	if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return acd_fail(e, ACD_EINPUT, "cannot drop root to '%s': %s", user,
		                strerror(errno));
	if (setuid(0) == 0)
		return acd_fail(e, ACD_EINPUT, "root could be regained after dropping it");
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* Changing uid makes the process dumpable again on Linux: switch it off once more. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	log_info("dropped root, running as %s", user);
	return ACD_OK;
}
