/* keys.c — see keys.h. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void keys_default_dir(const char *db_url, char *out, size_t outlen)
{
	if (strncmp(db_url, "sqlite:", 7) == 0)
		snprintf(out, outlen, "%s.keys", db_url + 7);
	else
		snprintf(out, outlen, "acd.keys");
}

/* Writes `len` random bytes as one base64 line into a new owner-only file. */
static enum acd_status create_random_key(const char *path, size_t len, struct acd_error *e)
{
	uint8_t raw[64];
	char b64[128];
	randombytes_buf(raw, len);
	b64_encode(raw, len, b64, sizeof b64);
	sodium_memzero(raw, sizeof raw);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s", path, strerror(errno));
	size_t n = strlen(b64);
	b64[n++] = '\n';
	bool ok = write(fd, b64, n) == (ssize_t)n && fsync(fd) == 0;
	close(fd);
	sodium_memzero(b64, sizeof b64);
	return ok ? ACD_OK : acd_fail(e, ACD_EINPUT, "%s: write failed", path);
}

enum acd_status keys_create(const char *dir, struct keys *k, struct acd_error *e)
{
	char path[1200];
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return acd_fail(e, ACD_EINPUT, "%s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/token.key", dir);
	if (access(path, F_OK) != 0) {
		enum acd_status st = create_random_key(path, TOKEN_KEY_BYTES, e);
		if (st != ACD_OK)
			return st;
	}
	static const char *const signing[] = {"audit.key", "commission.key", "office.key"};
	for (size_t i = 0; i < sizeof signing / sizeof signing[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, signing[i]);
		if (access(path, F_OK) != 0) {
			enum acd_status st = key_generate(path, e);
			if (st != ACD_OK)
				return st;
		}
	}
	return keys_load(dir, k, e);
}

/* Loads a signing key that may be absent; present but unreadable is an error. */
static enum acd_status load_optional(const char *dir, const char *name, uint8_t *sk, uint8_t *pk,
                                     bool *has, struct acd_error *e)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*has = false;
	if (access(path, F_OK) != 0)
		return ACD_OK;
	enum acd_status st = key_read_secret(path, sk, e);
	if (st != ACD_OK)
		return st;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	*has = true;
	return ACD_OK;
}

enum acd_status keys_load(const char *dir, struct keys *k, struct acd_error *e)
{
	char path[1200];
	uint8_t *buf;
	size_t len, n = 0;
	memset(k, 0, sizeof *k);
	snprintf(k->dir, sizeof k->dir, "%s", dir);
	snprintf(path, sizeof path, "%s/token.key", dir);
	enum acd_status st = file_read_all(path, 4096, &buf, &len, e);
	if (st != ACD_OK) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		return acd_fail(e, st, "%s (run `acd init` first, or give --keys DIR)", why);
	}
	bool ok = b64_decode((const char *)buf, len, k->token_key, sizeof k->token_key, &n) &&
	          n == sizeof k->token_key;
	sodium_memzero(buf, len);
	free(buf);
	if (!ok)
		return acd_fail(e, ACD_EINPUT, "%s: not a base64 32-byte key", path);
	snprintf(path, sizeof path, "%s/audit.key", dir);
	st = key_read_secret(path, k->audit_sk, e);
	if (st != ACD_OK)
		return st;
	crypto_sign_ed25519_sk_to_pk(k->audit_pk, k->audit_sk);
	return load_optional(dir, "commission.key", k->commission_sk, k->commission_pk,
	                     &k->has_commission, e) == ACD_OK
	               ? load_optional(dir, "office.key", k->office_sk, k->office_pk,
	                               &k->has_office, e)
	               : e->status;
}

void keys_wipe(struct keys *k)
{
	sodium_memzero(k, sizeof *k);
}
