/*
 * keyfile.h — Ed25519 key files and the small file helpers around them.
 *
 * A private key file holds the base64 of the 32-byte Ed25519 seed; the public key file
 * (conventionally the same name plus ".pub") the base64 of the 32-byte public key. Both are a
 * single line; surrounding white space is ignored. Private key files are created 0600.
 * Callers run sodium_init() once before any of these.
 */
#ifndef ACD_KEYFILE_H
#define ACD_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define KEY_PUBLIC_BYTES 32
#define KEY_SECRET_BYTES 64 /* libsodium's expanded form: seed followed by public key */
#define KEY_SIG_BYTES    64

enum acd_status key_read_public(const char *path, uint8_t pk[KEY_PUBLIC_BYTES],
                                struct acd_error *e);
enum acd_status key_read_secret(const char *path, uint8_t sk[KEY_SECRET_BYTES],
                                struct acd_error *e);
/* Creates PATH (seed, 0600, refusing to overwrite) and PATH.pub. */
enum acd_status key_generate(const char *path, struct acd_error *e);

/* Reads a whole file of at most `max` bytes into a fresh malloc'd buffer (NUL-terminated for
 * convenience, the NUL not counted in *len). */
enum acd_status file_read_all(const char *path, size_t max, uint8_t **buf, size_t *len,
                              struct acd_error *e);

/* Base64 (standard alphabet, padded). encode returns false when `out` is too small. decode
 * ignores leading/trailing white space and returns false on anything malformed. */
bool b64_encode(const uint8_t *in, size_t len, char *out, size_t outlen);
bool b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax, size_t *outlen);

/* Ed25519 detached signatures over exact bytes, the signature in base64 text. */
bool sig_verify_b64(const uint8_t *msg, size_t len, const char *sig_b64, size_t siglen,
                    const uint8_t pk[KEY_PUBLIC_BYTES]);
bool sig_sign_b64(const uint8_t *msg, size_t len, const uint8_t sk[KEY_SECRET_BYTES], char *out,
                  size_t outlen);

#endif
