/* sandbox.c — see sandbox.h. */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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
