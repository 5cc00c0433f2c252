/*
 * capture.h — opening the sensor's inputs with libpcap: capture files (pcap and pcapng) and
 * live interfaces. Everything is opened and checked before any output exists, so a bad
 * input changes nothing (Contract 3: exit 2 with one line naming the input).
 */
#ifndef ACD_CAPTURE_H
#define ACD_CAPTURE_H

#include <pcap/pcap.h>

#include "error.h"

/* Opens FILE, checks it is a capture file of a link type the decoder knows, closes it. */
enum acd_status capture_check_file(const char *path, struct acd_error *e);
/* Opens `n` handles on IFACE; with n > 1 they join one PACKET_FANOUT group that spreads
 * packets by flow hash (fragments reassembled by the kernel for the hash only). */
enum acd_status capture_open_live(const char *iface, int n, pcap_t **out, struct acd_error *e);

#endif
