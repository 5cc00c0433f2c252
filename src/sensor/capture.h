/*
 * capture.h — opening the sensor's inputs with libpcap: capture files (pcap and pcapng) and
 * live interfaces. Everything is opened and checked before any output exists, so a bad
 * input changes nothing (Contract 3: exit 2 with one line naming the input).
 */
#ifndef ACD_CAPTURE_H
#define ACD_CAPTURE_H

#include <pcap/pcap.h>
#include <stdio.h>

#include "error.h"

/* The stdio buffer a capture file is read through. libpcap reads each packet with two
 * fread()s; with glibc's default buffer (the file system block, 4 KiB) that is one read(2)
 * per 4 KiB, which on the benchmark costs as much as the rest of the bare read loop. 256 KiB
 * takes the syscalls out of the profile and still fits in L2 with the packet being decoded. */
#define CAPTURE_FILE_BUFFER (256 * 1024)

/* A capture file open for reading: the handle and the stdio buffer it owns. */
struct capture_file {
	pcap_t *pcap;
	char *buf;
};

/* Opens FILE, checks it is a capture file of a link type the decoder knows, closes it. */
enum acd_status capture_check_file(const char *path, struct acd_error *e);
/* Opens PATH for reading packets with microsecond time stamps through a CAPTURE_FILE_BUFFER
 * stdio buffer; on failure errbuf (PCAP_ERRBUF_SIZE) says why. */
enum acd_status capture_open_file(const char *path, struct capture_file *cf, char *errbuf);
void capture_close_file(struct capture_file *cf);
/* Opens `n` handles on IFACE; with n > 1 they join one PACKET_FANOUT group that spreads
 * packets by flow hash (fragments reassembled by the kernel for the hash only). */
enum acd_status capture_open_live(const char *iface, int n, pcap_t **out, struct acd_error *e);

#endif
