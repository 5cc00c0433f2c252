/* keyfile.c — see keyfile.h. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum acd_status file_read_all(const char *path, size_t max, uint8_t **buf, size_t *len,
                              struct acd_error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return acd_fail(e, ACD_EINPUT, "%s: not a regular file of at most %zu bytes", path,
		                max);
	}
	uint8_t *b = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (b && got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!b || got != (size_t)st.st_size) {
		free(b);
		return acd_fail(e, ACD_EINPUT, "%s: short read", path);
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return ACD_OK;
}

bool b64_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	if (outlen < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL))
		return false;
	sodium_bin2base64(out, outlen, in, len, sodium_base64_VARIANT_ORIGINAL);
	return true;
}

bool b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax, size_t *outlen)
{
	while (inlen > 0 && (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')) {
		in++;
		inlen--;
	}
	while (inlen > 0 && (in[inlen - 1] == ' ' || in[inlen - 1] == '\t' ||
	                     in[inlen - 1] == '\r' || in[inlen - 1] == '\n'))
		inlen--;
	const char *end = NULL;
	if (sodium_base642bin(out, outmax, in, inlen, NULL, outlen, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return end == in + inlen;
}

/* Reads a one-line base64 key file that must decode to exactly `want` bytes. */
static enum acd_status read_b64_key(const char *path, uint8_t *out, size_t want,
                                    struct acd_error *e)
{
	uint8_t *buf;
	size_t len, n = 0;
	enum acd_status st = file_read_all(path, 4096, &buf, &len, e);
	if (st != ACD_OK)
		return st;
	bool ok = b64_decode((const char *)buf, len, out, want, &n) && n == want;
	sodium_memzero(buf, len);
	free(buf);
	if (!ok)
		return acd_fail(e, ACD_EINPUT, "%s: not a base64 %zu-byte key", path, want);
	return ACD_OK;
}

enum acd_status key_read_public(const char *path, uint8_t pk[KEY_PUBLIC_BYTES], struct acd_error *e)
{
	return read_b64_key(path, pk, KEY_PUBLIC_BYTES, e);
}

enum acd_status key_read_secret(const char *path, uint8_t sk[KEY_SECRET_BYTES], struct acd_error *e)
{
	uint8_t seed[crypto_sign_SEEDBYTES], pk[KEY_PUBLIC_BYTES];
	enum acd_status st = read_b64_key(path, seed, sizeof seed, e);
	if (st != ACD_OK)
		return st;
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof seed);
	return ACD_OK;
}

static enum acd_status write_line(const char *path, const char *text, mode_t mode,
                                  struct acd_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s", path, strerror(errno));
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	close(fd);
	if (!ok)
		return acd_fail(e, ACD_EINPUT, "%s: write failed", path);
	return ACD_OK;
}

enum acd_status key_generate(const char *path, struct acd_error *e)
{
	uint8_t pk[KEY_PUBLIC_BYTES], sk[KEY_SECRET_BYTES];
	char seed_b64[64], pk_b64[64], pubpath[4096];
	crypto_sign_keypair(pk, sk);
	b64_encode(sk, crypto_sign_SEEDBYTES, seed_b64, sizeof seed_b64);
	b64_encode(pk, sizeof pk, pk_b64, sizeof pk_b64);
	sodium_memzero(sk, sizeof sk);
	if (snprintf(pubpath, sizeof pubpath, "%s.pub", path) >= (int)sizeof pubpath)
		return acd_fail(e, ACD_EINPUT, "%s: path too long", path);
	enum acd_status st = write_line(path, seed_b64, 0600, e);
	sodium_memzero(seed_b64, sizeof seed_b64);
	if (st != ACD_OK)
		return st;
	return write_line(pubpath, pk_b64, 0644, e);
}

bool sig_verify_b64(const uint8_t *msg, size_t len, const char *sig_b64, size_t siglen,
                    const uint8_t pk[KEY_PUBLIC_BYTES])
{
	uint8_t sig[KEY_SIG_BYTES];
	size_t n = 0;
	if (!b64_decode(sig_b64, siglen, sig, sizeof sig, &n) || n != sizeof sig)
		return false;
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

bool sig_sign_b64(const uint8_t *msg, size_t len, const uint8_t sk[KEY_SECRET_BYTES], char *out,
                  size_t outlen)
{
	uint8_t sig[KEY_SIG_BYTES];
	crypto_sign_detached(sig, NULL, msg, len, sk);
	return b64_encode(sig, sizeof sig, out, outlen);
}
