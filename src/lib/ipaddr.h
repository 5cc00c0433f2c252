/*
 * ipaddr.h — one IP address, IPv4 or IPv6, as every part of acd passes it around.
 *
 * An IPv4 address lives in b[0..3] (network byte order) with the rest zero, so two
 * addresses compare with memcmp over the whole struct and hash the same way everywhere.
 */
#ifndef ACD_IPADDR_H
#define ACD_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ip_addr {
	uint8_t family; /* 4 or 6; 0 means "no address" */
	uint8_t b[16];
};

#define IPADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

/* Parses "192.0.2.1" or "2001:db8::1"; false (and *out untouched) when it is neither. */
bool ipaddr_parse(const char *s, struct ip_addr *out);
/* Writes the textual form into buf (at least IPADDR_STRLEN bytes). */
void ipaddr_format(const struct ip_addr *a, char *buf, size_t len);
/* -1, 0, 1 ordering: IPv4 before IPv6, then by bytes. */
int ipaddr_cmp(const struct ip_addr *a, const struct ip_addr *b);
/* True when the first `bits` bits of a and b are equal (same family required). */
bool ipaddr_prefix_eq(const struct ip_addr *a, const struct ip_addr *b, unsigned bits);

static inline void ipaddr_set4(struct ip_addr *a, const uint8_t *p)
{
	a->family = 4;
	a->b[0] = p[0];
	a->b[1] = p[1];
	a->b[2] = p[2];
	a->b[3] = p[3];
	for (int i = 4; i < 16; i++)
		a->b[i] = 0;
}

static inline void ipaddr_set6(struct ip_addr *a, const uint8_t *p)
{
	a->family = 6;
	for (int i = 0; i < 16; i++)
		a->b[i] = p[i];
}

#endif
