/*
 * pcap_floor.c — the floor for the sensor benchmark: a bare libpcap read loop.
 *
 * Usage: pcap-floor [--buffer BYTES] FILE [FILE ...]
 * Reads every packet of every file with pcap_next_ex and touches its first byte (so the data
 * really comes into the cache, as it does for any tool that decodes the packet), then prints
 * `packets=N seconds=S pps=P`. --buffer gives the file a stdio buffer of that size, as
 * acd-sensor does (capture.h, CAPTURE_FILE_BUFFER); without it the file is opened with
 * pcap_open_offline and read through glibc's default buffer. bench/sensor/run.sh runs it
 * with acd-sensor's buffer, so that the floor reads the file exactly as the sensor does and
 * "acd vs floor" measures only the sensor's per-packet work.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Opens the file the way acd-sensor does when bufsize > 0, else with pcap_open_offline. */
static pcap_t *open_file(const char *path, size_t bufsize, char *buf, char *err)
{
	if (bufsize == 0)
		return pcap_open_offline(path, err);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	setvbuf(fp, buf, _IOFBF, bufsize);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!p)
		fclose(fp);
	return p;
}

/* Reads one file to its end; adds its packets to *packets and the touched bytes to *sum. */
static int read_file(const char *path, size_t bufsize, char *buf, uint64_t *packets, uint64_t *sum)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = open_file(path, bufsize, buf, err);
	if (!p) {
		fprintf(stderr, "pcap-floor: %s: %s\n", path, err);
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		(*packets)++;
		if (h->caplen > 0)
			*sum += data[0];
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap-floor: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return rc == PCAP_ERROR ? -1 : 0;
}

int main(int argc, char **argv)
{
	int first = 1;
	size_t bufsize = 0;
	if (argc > 2 && strcmp(argv[1], "--buffer") == 0) {
		char *end;
		unsigned long v = strtoul(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || v > (1ul << 30)) {
			fprintf(stderr, "pcap-floor: --buffer: '%s' is not a size\n", argv[2]);
			return 2;
		}
		bufsize = v;
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: pcap-floor [--buffer BYTES] FILE [FILE ...]\n");
		return 2;
	}
	char *buf = bufsize ? malloc(bufsize) : NULL;
	if (bufsize && !buf) {
		fprintf(stderr, "pcap-floor: out of memory\n");
		return 1;
	}
	uint64_t packets = 0, sum = 0;
	double start = now();
	for (int i = first; i < argc; i++)
		if (read_file(argv[i], bufsize, buf, &packets, &sum) != 0)
			return 1;
	double secs = now() - start;
	free(buf);
	/* The checksum goes to stderr so the compiler cannot drop the reads. */
	fprintf(stderr, "pcap-floor: first-byte sum %llu\n", (unsigned long long)sum);
	printf("packets=%llu seconds=%.6f pps=%.0f\n", (unsigned long long)packets, secs,
	       secs > 0 ? (double)packets / secs : 0.0);
	return 0;
}
