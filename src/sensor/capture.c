/* capture.c — see capture.h. */
#include "capture.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "decode.h"

static enum acd_status check_link(pcap_t *h, const char *name, struct acd_error *e)
{
	int dlt = pcap_datalink(h);
	if (decode_link_supported(dlt))
		return ACD_OK;
	const char *dname = pcap_datalink_val_to_name(dlt);
	return acd_fail(e, ACD_EINPUT, "%s: link type %d (%s) is not supported", name, dlt,
	                dname ? dname : "unknown");
}

enum acd_status capture_check_file(const char *path, struct acd_error *e)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *h = pcap_open_offline(path, errbuf);
	if (!h)
		return acd_fail(e, ACD_EINPUT, "%s: %s", path, errbuf);
	enum acd_status st = check_link(h, path, e);
	pcap_close(h);
	return st;
}

enum acd_status capture_open_file(const char *path, struct capture_file *cf, char *errbuf)
{
	cf->pcap = NULL;
	cf->buf = malloc(CAPTURE_FILE_BUFFER);
	FILE *fp = cf->buf ? fopen(path, "rb") : NULL;
	if (!fp) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s",
		         cf->buf ? strerror(errno) : "out of memory");
		free(cf->buf);
		cf->buf = NULL;
		return ACD_EINPUT;
	}
	/* glibc ignores the size when it is to allocate the buffer itself: pass our own. */
	setvbuf(fp, cf->buf, _IOFBF, CAPTURE_FILE_BUFFER);
	/* Only this worker reads this FILE: libpcap's two freads per packet need not take its lock
	 * (glibc takes it in every multi-threaded process). */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	cf->pcap =
	        pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (!cf->pcap) {
		fclose(fp); /* libpcap leaves a FILE it could not use to its caller */
		free(cf->buf);
		cf->buf = NULL;
		return ACD_EINPUT;
	}
	return ACD_OK;
}

void capture_close_file(struct capture_file *cf)
{
	if (cf->pcap)
		pcap_close(cf->pcap); /* closes the FILE, which stops using the buffer */
	free(cf->buf);
	cf->pcap = NULL;
	cf->buf = NULL;
}

static pcap_t *open_one(const char *iface, struct acd_error *e)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *h = pcap_create(iface, errbuf);
	if (!h) {
		acd_fail(e, ACD_EINPUT, "%s: %s", iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(h, 65535);
	pcap_set_promisc(h, 1);
	pcap_set_timeout(h, 200); /* wake up to close statistics intervals on quiet links */
	pcap_set_buffer_size(h, 64 << 20);
	int rc = pcap_activate(h);
	if (rc < 0) {
		acd_fail(e, ACD_EINPUT, "%s: %s", iface, pcap_geterr(h));
		pcap_close(h);
		return NULL;
	}
	if (check_link(h, iface, e) != ACD_OK) {
		pcap_close(h);
		return NULL;
	}
	return h;
}

/* Joins handle h to the fanout group *group; the first handle (*group < 0) has the kernel pick
 * an id no other group in this network namespace uses, so two sensors never collide. */
static bool join_fanout(pcap_t *h, int *group)
{
	/* Unsigned: the defrag flag (0x8000) shifted into the top half overflows int. */
	uint32_t mode = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG;
	uint32_t arg = *group < 0 ? (mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16
	                          : (uint32_t)*group | mode << 16;
	int fd = pcap_fileno(h);
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0)
		return false;
	if (*group < 0) {
		socklen_t len = sizeof arg;
		if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) < 0)
			return false;
		*group = (int)(arg & 0xffff);
	}
	return true;
}

enum acd_status capture_open_live(const char *iface, int n, pcap_t **out, struct acd_error *e)
{
	int group = -1;
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	for (int i = 0; i < n; i++) {
		out[i] = open_one(iface, e);
		if (!out[i])
			goto fail;
		if (n > 1 && !join_fanout(out[i], &group)) {
			acd_fail(e, ACD_EINPUT, "%s: cannot join fanout group: %s", iface,
			         strerror(errno));
			goto fail; /* closes out[i] with the others */
		}
	}
	return ACD_OK;
fail:
	while (n-- > 0)
		if (out[n]) {
			pcap_close(out[n]);
			out[n] = NULL;
		}
	return ACD_EINPUT;
}
