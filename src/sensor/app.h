/*
 * app.h — application protocol detection and the mechanical fields acd may extract from it.
 *
 * Contract 4: `app` is detected from the first payload bytes of a flow, never from the port;
 * the only application fields ever extracted are the DNS query name, the TLS SNI and JA3
 * digest, and the HTTP request method, Host and User-Agent. Nothing else of the payload
 * (URL path or query, cookies, bodies, mail headers, file names …) is read into any buffer
 * that outlives the call.
 *
 * Every function is a pure, bounds-checked parser over bytes that may be hostile: it never
 * reads past `len`, never allocates, and writes at most `outlen` bytes (NUL included) into
 * its output buffers. Extracted strings are made safe to print: bytes outside printable
 * ASCII (0x21–0x7e for names, 0x20–0x7e for the User-Agent) end the value; names are folded
 * to lower case and lose a trailing dot. An empty string means "not present".
 */
#ifndef ACD_APP_H
#define ACD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum app_proto {
	APP_UNDECIDED = 0, /* no payload seen yet */
	APP_DNS,
	APP_TLS,
	APP_HTTP,
	APP_SSH,
	APP_SMTP,
	APP_QUIC,
	APP_NTP,
	APP_SIP,
	APP_FTP,
	APP_OTHER, /* payload seen, none of the above: Contract 4 `app` is null */
};

#define APP_NAME_MAX   256 /* DNS names are at most 253 characters */
#define APP_UA_MAX     256 /* User-Agent values are cut at 255 bytes */
#define APP_METHOD_MAX 16
#define APP_JA3_HEX    33 /* 32 hex digits and NUL */

/* Contract 4 name ("dns", "tls", …) or NULL for APP_UNDECIDED and APP_OTHER. */
const char *app_name(enum app_proto app);

/* Decides the protocol from the first payload of a flow (either direction). `ipproto` is 6
 * (TCP) or 17 (UDP); anything else gives APP_OTHER. For UDP payloads of port 53/5353 style
 * DNS the port is *not* consulted: the DNS header and question must parse. */
enum app_proto app_detect(uint8_t ipproto, const uint8_t *p, uint32_t len);

/* DNS message (UDP form; for TCP pass `tcp` true and the 2-byte length prefix is skipped):
 * the first question's name into `out`. False when the message or name is malformed
 * (compression loops, labels past the end, name over 253 characters). */
bool dns_query_name(const uint8_t *p, uint32_t len, bool tcp, char *out, size_t outlen);

/* TLS record(s) starting with a ClientHello. Fills `sni` (empty when absent) and `ja3_hex`
 * (MD5 of the JA3 string, empty when the ClientHello is not complete in these bytes; GREASE
 * values are left out of JA3 as its definition says). False when the bytes are not a
 * ClientHello at all. A ClientHello cut short by the segment still yields the SNI when the
 * server_name extension lies inside the bytes given. `ja3_hex` may be NULL: the digest (the
 * costly part) is then not computed. */
bool tls_client_hello(const uint8_t *p, uint32_t len, char *sni, size_t snilen,
                      char ja3_hex[APP_JA3_HEX]);

/* HTTP/1.x request head starting at p: method, Host header value (port kept as sent, e.g.
 * "example.net:8080" — the caller strips it for matching) and User-Agent value. False when p
 * does not start with a request line. Missing headers give empty strings. The request target
 * (path and query) is skipped over and never copied. */
bool http_request(const uint8_t *p, uint32_t len, char *method, size_t methodlen, char *host,
                  size_t hostlen, char *ua, size_t ualen);

#endif
