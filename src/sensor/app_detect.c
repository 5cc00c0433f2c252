/*
 * app_detect.c — which application protocol a flow speaks (Contract 4 `app`), decided from
 * the first payload bytes of the flow, never from the port.
 *
 * Each detector asks for a shape that other protocols do not produce; the order below only
 * matters where shapes overlap:
 *  - text protocols first (SSH, SIP, HTTP, SMTP/FTP): SIP and HTTP share "OPTIONS target
 *    version" and are told apart by the version ("SIP/2.0" vs "HTTP/1.x"); SMTP and FTP share
 *    the "220" greeting and are told apart by its text;
 *  - then binary ones with a strong signature (TLS record header, QUIC long header);
 *  - DNS, whose header is weak, only when the question name and class also parse;
 *  - NTP last, whose only signature is one byte and a length.
 *
 * Rules:
 *  dns   UDP, or TCP after its 2-byte length: opcode 0, 4 or 5, Z bit clear, QDCOUNT 1–8,
 *        AN/NS/ARCOUNT ≤ 256 each, the first question name parses (dns_query_name), QTYPE
 *        not 0 and QCLASS (mDNS's unicast bit aside) IN, CH, HS, NONE or ANY; over UDP the
 *        counts must also fit the message at their minimum sizes.
 *  tls   TCP: record type 22 (handshake), version 0x0300–0x0304, length 1–18432, handshake
 *        type 1 or 2; or record type 20, 21 or 23 (mid-stream) with version 0x0301–0x0304.
 *  http  TCP: "METHOD SP target SP HTTP/1.<digit>" for the nine RFC 9110/5789 methods, the
 *        target without spaces or controls; or a request line cut by the segment end whose
 *        target starts with '/' (long URLs); or a response "HTTP/1.<digit> ".
 *  ssh   TCP: "SSH-1." or "SSH-2.".
 *  smtp  TCP: greeting "220 " or "220-" whose text (first line; for "220-" up to 1 KiB)
 *        has the word SMTP or ESMTP, or no FTP but "smtp" inside a word; or client
 *        "EHLO " / "HELO ".
 *  ftp   TCP: greeting "220 " / "220-" whose text mentions FTP (e.g. ProFTPD, vsFTPd) or
 *        FileZilla and has no word SMTP/ESMTP; or client "USER ", "AUTH TLS", "AUTH SSL".
 *        A "220" greeting with neither is other.
 *  quic  UDP long header: first byte with 0x80 and 0x40 set, version 1, 0x6b3343cf (v2) or
 *        0xff0000xx (drafts), DCID and SCID lengths ≤ 20 and both IDs inside the bytes. The
 *        1200-byte minimum of client Initials is not required: the first payload seen may
 *        be the server's, and a sensor on one leg may see a shortened capture.
 *  ntp   UDP: at least 48 bytes and a multiple of 4 (extension fields and MACs are words),
 *        version 1–4, mode 1–5, stratum ≤ 16.
 *  sip   UDP or TCP: "METHOD SP sip:|sips:|tel:… SP SIP/2.0" for the 14 RFC 3261 family
 *        methods, or a response "SIP/2.0 ".
 * Commands are compared case-insensitively where their RFC says so (SMTP, FTP), exactly
 * elsewhere. No payload is copied; only fixed stack buffers for the DNS name check.
 */
#include "app.h"

#include <string.h>

#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define GREETING_SCAN 1024

const char *app_name(enum app_proto app)
{
	switch (app) {
	case APP_DNS:
		return "dns";
	case APP_TLS:
		return "tls";
	case APP_HTTP:
		return "http";
	case APP_SSH:
		return "ssh";
	case APP_SMTP:
		return "smtp";
	case APP_QUIC:
		return "quic";
	case APP_NTP:
		return "ntp";
	case APP_SIP:
		return "sip";
	case APP_FTP:
		return "ftp";
	case APP_UNDECIDED:
	case APP_OTHER:
		break;
	}
	return NULL;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* p starts with s (exactly, or ignoring ASCII case). */
static bool starts(const uint8_t *p, uint32_t len, const char *s, bool nocase)
{
	/* Nearly every call (a flow's first payload against each method name) fails on the first
	 * byte: settle those before measuring s. */
	if (s[0] &&
	    (len == 0 || (nocase ? lower(p[0]) != lower((uint8_t)s[0]) : p[0] != (uint8_t)s[0])))
		return false;
	size_t n = strlen(s);
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = nocase ? lower(p[i]) : p[i];
		if (c != (nocase ? lower((uint8_t)s[i]) : (uint8_t)s[i]))
			return false;
	}
	return true;
}

/* ---- request lines (HTTP, SIP) ---- */

/* Length of the method from `methods` at p followed by SP, or 0. */
static size_t method_len(const uint8_t *p, uint32_t len, const char *const *methods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (len > 0 && (uint8_t)methods[i][0] == p[0] &&
		    starts(p, len, methods[i], false) && len > strlen(methods[i]) &&
		    p[strlen(methods[i])] == ' ')
			return strlen(methods[i]);
	return 0;
}

/* Steps over a request target starting at pos: returns the offset of the byte that ends it
 * (SP, a control or the end of the bytes). */
static uint32_t skip_target(const uint8_t *p, uint32_t len, uint32_t pos)
{
	while (pos < len && p[pos] > 0x20 && p[pos] != 0x7f)
		pos++;
	return pos;
}

static bool http_request_line(const uint8_t *p, uint32_t len)
{
	static const char *const methods[] = {"GET",     "POST",    "HEAD",  "PUT",  "DELETE",
	                                      "OPTIONS", "CONNECT", "PATCH", "TRACE"};
	size_t m = method_len(p, len, methods, sizeof methods / sizeof methods[0]);
	if (m == 0)
		return false;
	uint32_t start = (uint32_t)m + 1, end = skip_target(p, len, start);
	if (end == start)
		return false;
	if (end == len) /* the line goes on past this segment: a long URL */
		return p[start] == '/';
	if (p[end] != ' ')
		return false;
	const uint8_t *v = p + end + 1;
	uint32_t vlen = len - end - 1;
	return starts(v, vlen, "HTTP/1.", false) && vlen > 7 && v[7] >= '0' && v[7] <= '9';
}

static bool http_response(const uint8_t *p, uint32_t len)
{
	return starts(p, len, "HTTP/1.", false) && len >= 9 && p[7] >= '0' && p[7] <= '9' &&
	       p[8] == ' ';
}

static bool sip_message(const uint8_t *p, uint32_t len)
{
	static const char *const methods[] = {"INVITE", "REGISTER",  "OPTIONS", "ACK",     "BYE",
	                                      "CANCEL", "SUBSCRIBE", "NOTIFY",  "MESSAGE", "INFO",
	                                      "PRACK",  "UPDATE",    "REFER",   "PUBLISH"};
	if (starts(p, len, "SIP/2.0 ", false))
		return true;
	size_t m = method_len(p, len, methods, sizeof methods / sizeof methods[0]);
	if (m == 0)
		return false;
	uint32_t start = (uint32_t)m + 1, end = skip_target(p, len, start);
	const uint8_t *t = p + start;
	uint32_t tlen = end - start;
	if (!starts(t, tlen, "sip:", true) && !starts(t, tlen, "sips:", true) &&
	    !starts(t, tlen, "tel:", true))
		return false;
	return end < len && p[end] == ' ' && starts(p + end + 1, len - end - 1, "SIP/2.0", false);
}

/* ---- SMTP and FTP ---- */

/* Host names count as one word, so that "smtp.example.net" is not the word SMTP. */
static bool is_word_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

/* [p, p+len) contains `word` (lower case) as a whole word, or when `inside`, anywhere. */
static bool has_word(const uint8_t *p, uint32_t len, const char *word, bool inside)
{
	size_t n = strlen(word);
	for (uint32_t i = 0; i + n <= len; i++) {
		if (!starts(p + i, len - i, word, true))
			continue;
		if (inside)
			return true;
		bool left = i == 0 || !is_word_char(p[i - 1]);
		bool right = i + n == len || !is_word_char(p[i + n]);
		if (left && right)
			return true;
	}
	return false;
}

/* The greeting text the SMTP/FTP decision reads: the first line, or for a multi-line "220-"
 * greeting the first GREETING_SCAN bytes. */
static uint32_t greeting_len(const uint8_t *p, uint32_t len)
{
	uint32_t max = len < GREETING_SCAN ? len : GREETING_SCAN;
	if (p[3] == '-')
		return max;
	uint32_t i = 0;
	while (i < max && p[i] != '\r' && p[i] != '\n')
		i++;
	return i;
}

static enum app_proto mail_or_file_greeting(const uint8_t *p, uint32_t len)
{
	if (!starts(p, len, "220 ", false) && !starts(p, len, "220-", false))
		return APP_OTHER;
	uint32_t n = greeting_len(p, len);
	/* A whole word SMTP/ESMTP is what SMTP servers announce; FTP servers put "FTP" in
	 * their product name (ProFTPD, vsFTPd) but a mail host may be called ftp.example. */
	if (has_word(p, n, "esmtp", false) || has_word(p, n, "smtp", false))
		return APP_SMTP;
	if (has_word(p, n, "ftp", true) || has_word(p, n, "filezilla", true))
		return APP_FTP;
	if (has_word(p, n, "smtp", true))
		return APP_SMTP;
	return APP_OTHER;
}

static enum app_proto mail_or_file_client(const uint8_t *p, uint32_t len)
{
	if (starts(p, len, "EHLO ", true) || starts(p, len, "HELO ", true))
		return APP_SMTP;
	if (starts(p, len, "USER ", true) || starts(p, len, "AUTH TLS", true) ||
	    starts(p, len, "AUTH SSL", true))
		return APP_FTP;
	return APP_OTHER;
}

/* ---- binary protocols ---- */

static bool tls_record(const uint8_t *p, uint32_t len)
{
	if (len < 6 || p[1] != 3)
		return false;
	uint16_t rlen = be16(p + 3);
	if (rlen == 0 || rlen > 16384 + 2048)
		return false;
	if (p[0] == 0x16)
		return p[2] <= 4 && (p[5] == 1 || p[5] == 2);
	return (p[0] == 0x14 || p[0] == 0x15 || p[0] == 0x17) && p[2] >= 1 && p[2] <= 4;
}

static bool quic_long_header(const uint8_t *p, uint32_t len)
{
	if (len < 7 || (p[0] & 0xc0) != 0xc0)
		return false;
	uint32_t v = be32(p + 1);
	if (v != 0x00000001 && v != 0x6b3343cf && (v & 0xffffff00) != 0xff000000)
		return false;
	uint32_t dcil = p[5];
	if (dcil > 20 || 6 + dcil >= len)
		return false;
	uint32_t scil = p[6 + dcil];
	return scil <= 20 && 7 + dcil + scil <= len;
}

static bool ntp_packet(const uint8_t *p, uint32_t len)
{
	if (len < 48 || len % 4 != 0)
		return false;
	unsigned version = (p[0] >> 3) & 7, mode = p[0] & 7;
	return version >= 1 && version <= 4 && mode >= 1 && mode <= 5 && p[1] <= 16;
}

/* Offset just past the name at pos (pointers end a name), or 0. */
static uint32_t dns_name_end(const uint8_t *m, uint32_t len, uint32_t pos)
{
	while (pos < len) {
		uint8_t b = m[pos];
		if (b == 0)
			return pos + 1;
		if ((b & 0xc0) == 0xc0)
			return pos + 2 <= len ? pos + 2 : 0;
		if (b & 0xc0)
			return 0;
		pos += 1 + (uint32_t)b;
	}
	return 0;
}

static bool dns_class_ok(uint16_t qclass)
{
	qclass &= 0x7fff; /* mDNS: the top bit asks for a unicast answer */
	return qclass == 1 || qclass == 3 || qclass == 4 || qclass == 254 || qclass == 255;
}

/* A DNS message m of mlen bytes (without TCP's length prefix). */
static bool dns_message(const uint8_t *m, uint32_t mlen, bool udp)
{
	if (mlen < 12 + 2 + 4)
		return false;
	unsigned opcode = (m[2] >> 3) & 0x0f;
	if ((opcode != 0 && opcode != 4 && opcode != 5) || (m[3] & 0x40))
		return false;
	uint32_t qd = be16(m + 4), an = be16(m + 6), ns = be16(m + 8), ar = be16(m + 10);
	if (qd < 1 || qd > 8 || an > 256 || ns > 256 || ar > 256)
		return false;
	if (udp && 12 + qd * 5 + (an + ns + ar) * 11 > mlen)
		return false;
	uint32_t end = dns_name_end(m, mlen, 12);
	if (end == 0 || mlen - end < 4 || be16(m + end) == 0 || !dns_class_ok(be16(m + end + 2)))
		return false;
	char name[APP_NAME_MAX];
	return dns_query_name(m, mlen, false, name, sizeof name);
}

static bool dns_over_tcp(const uint8_t *p, uint32_t len)
{
	if (len < 2)
		return false;
	uint32_t mlen = be16(p);
	return dns_message(p + 2, len - 2 < mlen ? len - 2 : mlen, false);
}

/* Every text shape above starts with a letter (commands in either case) or the '2' of a
 * "220" greeting: other first bytes (TLS, DNS, binary data) skip the ~30 comparisons. */
static bool may_be_text(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '2';
}

static enum app_proto detect_tcp_text(const uint8_t *p, uint32_t len)
{
	if (starts(p, len, "SSH-1.", false) || starts(p, len, "SSH-2.", false))
		return APP_SSH;
	if (sip_message(p, len))
		return APP_SIP;
	if (http_request_line(p, len) || http_response(p, len))
		return APP_HTTP;
	enum app_proto a = mail_or_file_greeting(p, len);
	return a != APP_OTHER ? a : mail_or_file_client(p, len);
}

static enum app_proto detect_tcp(const uint8_t *p, uint32_t len)
{
	enum app_proto a = may_be_text(p[0]) ? detect_tcp_text(p, len) : APP_OTHER;
	if (a != APP_OTHER)
		return a;
	if (tls_record(p, len))
		return APP_TLS;
	if (dns_over_tcp(p, len))
		return APP_DNS;
	return APP_OTHER;
}

static enum app_proto detect_udp(const uint8_t *p, uint32_t len)
{
	if (may_be_text(p[0]) && sip_message(p, len))
		return APP_SIP;
	if (quic_long_header(p, len))
		return APP_QUIC;
	if (dns_message(p, len, true))
		return APP_DNS;
	if (ntp_packet(p, len))
		return APP_NTP;
	return APP_OTHER;
}

enum app_proto app_detect(uint8_t ipproto, const uint8_t *p, uint32_t len)
{
	if (ipproto != IPPROTO_TCP_ && ipproto != IPPROTO_UDP_)
		return APP_OTHER;
	if (len == 0)
		return APP_UNDECIDED; /* nothing to decide on yet: ask again with payload */
	return ipproto == IPPROTO_TCP_ ? detect_tcp(p, len) : detect_udp(p, len);
}
